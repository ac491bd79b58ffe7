"""Input that must never reach a view: oversized or deeply nested JSON, invalid unicode, NUL bytes.

`StrictJSONParser` is DRF's default parser (config/settings/base.py): a body of at most
`API_MAX_JSON_BYTES`, nested at most `API_MAX_JSON_DEPTH` deep, valid UTF-8 with no lone
surrogate and no NUL character, else 400 with a message. `RefuseNulMiddleware` answers 400
to a query string or form field holding a NUL byte (PostgreSQL cannot store one: DataError).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32


def bad_text(value: str) -> str | None:
    """Why `value` cannot be stored (a NUL or a lone surrogate), or None."""
    if "\x00" in value:
        return _("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Text contains invalid characters (a lone UTF-16 surrogate).")
    return None


def check_json_value(data, max_depth: int) -> None:
    """Raise ParseError for nesting deeper than `max_depth` or a string that cannot be stored."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise ParseError(_("The JSON body is nested more than %(depth)d levels deep.") % {"depth": max_depth})
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and (problem := bad_text(key)):
                    raise ParseError(problem)
                stack.append((item, depth + 1))
        elif isinstance(value, str) and (problem := bad_text(value.replace("\x00", ""))):
            # A NUL in a value is left to the field, which names itself in its error
            # (DRF's CharField: "Null characters are not allowed."); a lone surrogate cannot
            # even be echoed back, so it is refused here.
            raise ParseError(problem)


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with a size limit, a depth limit and strict text (400, never 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "API_MAX_JSON_BYTES", MAX_JSON_BYTES)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("The request body is larger than %(kb)d KB.") % {"kb": limit // 1024})
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(_("The request body is not valid UTF-8."))
        try:
            data = json.loads(text)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply."))
        except ValueError as exc:
            raise ParseError(_("The request body is not valid JSON: %(error)s") % {"error": str(exc).encode("unicode_escape").decode()})
        check_json_value(data, getattr(settings, "API_MAX_JSON_DEPTH", MAX_JSON_DEPTH))
        return data


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulMiddleware:
    """400 for a NUL byte in a form field, before any view or query (query strings: core.filters)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Query strings are the filters' to refuse: they name the parameter (core.filters).
        values = []
        if request.method == "POST" and request.content_type in FORM_TYPES:
            values += [*request.POST.keys(), *(v for vs in request.POST.lists() for v in vs[1])]
        for value in values:
            if "\x00" in value:
                message = _("Text may not contain NUL characters.")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
