"""The signed-in user's stored language wins over the browser's (after LocaleMiddleware)."""

from django.utils import translation


class UserLanguageMiddleware:
    """Activate `user.language` for a signed-in user who chose one; otherwise leave what
    LocaleMiddleware took from the language cookie or the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
