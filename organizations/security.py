"""Login lockout (django-axes): one answer, in the user's language, on every door.

After AXES_FAILURE_LIMIT wrong passwords for one username from one address, the token endpoint
(`/api/v1/auth/token/`), the site's login page and the admin's login page all refuse for
AXES_COOLOFF_TIME with the same message; a right password does not get through meanwhile.
"""

from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    return _("Too many failed logins for this account from this address. Try again in 15 minutes, "
             "or ask an administrator to unlock it.")


def lockout_response(request, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: 429 with the message, as JSON for the API and as the login page elsewhere."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form, "lockout": message, "next": request.GET.get("next", "")},
                  status=429)
