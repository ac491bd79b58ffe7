"""Redirect targets taken from a request: only same-site paths, never another host."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_url(request, url: str | None) -> bool:
    """True for a URL of this site (relative, or this host with an allowed scheme)."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, default, *, url: str | None = None) -> str:
    """Where to go next: `url` (or the request's `next` from POST, then GET) if it is safe, else `default`.

    `default` is a URL, a URL name or a model, as for `redirect()`. Refused: another host
    (`https://evil.example/phish`, `//evil.example`), another scheme (`javascript:`), and
    http on an https site. Use it for every `next`, `return_to` or referer-based redirect.
    """
    if url is None:
        url = request.POST.get("next") or request.GET.get("next")
    url = (url or "").strip()
    return url if is_safe_url(request, url) else resolve_url(default)


MAX_ID = 2**63 - 1


def object_id(value) -> int:
    """An object id from a URL or a body: a positive integer that fits the database, else 404."""
    from django.http import Http404

    text = str(value).strip()
    if not text.isdigit() or not (0 < int(text) <= MAX_ID):
        raise Http404
    return int(text)
