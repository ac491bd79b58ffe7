"""The language switch: Django's `set_language`, and the choice kept on the signed-in user."""

from django.conf import settings
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .services import set_user_language


@require_POST
def set_language(request):
    """Switch the interface language (cookie, as Django does) and store it on the user."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    # Django sets the cookie only for a language the site offers.
    if user.is_authenticated and language and settings.LANGUAGE_COOKIE_NAME in response.cookies:
        set_user_language(user, language)
    return response
