"""API plumbing shared by every app: pagination and the one mapping of errors to HTTP."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import WorkflowError

DEEP_OFFSET = 1_000  # from this many rows in, a page reads its keys first


class DeepPaginator(Paginator):
    """Deep pages read the keys of their rows first, then the rows by key.

    `OFFSET 50000` over whole rows makes the database read and throw away fifty thousand wide
    rows (descriptions, JSON); over the primary keys alone, in the list's order, it walks an
    index. The rows of the page are then fetched by key, with the queryset's joins and
    prefetches, and put back in order. Shallow pages (the usual ones) stay one query.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        queryset = self.object_list
        if bottom < DEEP_OFFSET or not isinstance(queryset, QuerySet) or queryset.query.distinct:
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.filter(pk__in=keys)}
        return Page([rows[k] for k in keys if k in rows], number, self)


class Pagination(PageNumberPagination):
    """`{"count", "next", "previous", "results"}`; `?page=` and `?page_size=` (at most 500)."""

    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = DeepPaginator


def exception_handler(exc, context):
    """Workflow errors become 400/403/409 with a message in the user's language."""
    if isinstance(exc, WorkflowError):
        body = {"detail": str(exc.message)}
        if exc.code:
            body["code"] = exc.code
        if exc.state is not None:
            body["status"] = exc.state
        if exc.guards:
            body["guards"] = [str(g) for g in exc.guards]
        if exc.field_errors:
            body.update({k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])] for k, v in exc.field_errors.items()})
        return Response(body, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = NotFound404()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = Forbidden403()
    return drf_exception_handler(exc, context)


class NotFound404(APIException):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"

    def __init__(self):
        from django.utils.translation import gettext

        super().__init__(gettext("Not found."))


class Forbidden403(APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"

    def __init__(self):
        from django.utils.translation import gettext

        super().__init__(gettext("You are not permitted to do this."))


# The range of a BigAutoField id; a larger number cannot be a row (and overflows the query).
MAX_ID = 2**63 - 1


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """DRF's field, refusing ids that are not positive 64-bit integers with 400 (never 500)."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "out_of_range": _lazy("“%(value)s” is not a valid id: ids are whole numbers from 1 to 9223372036854775807."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            try:
                number = int(str(data).strip())
            except (TypeError, ValueError):
                number = None
            if number is not None and not (1 <= number <= MAX_ID):
                self.fail("out_of_range", value=str(data)[:30])
        return super().to_internal_value(data)


ERROR_RESPONSES = {
    "400": "The request is invalid: field errors by field name, or `detail`.",
    "401": "Not signed in.",
    "403": "Signed in, but not permitted.",
    "404": "Not found, or not visible to the caller.",
    "409": "Not possible in the current state, lost to a concurrent change, or the record changed since it was loaded.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the errors core/api.py answers.

    One `Error` component (`detail`, and `status`/`guards`/`code` where the doorway adds them);
    400 on writes only, 404 on operations with a path parameter, 409 on writes.
    """
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            # A 400 lists a field's errors under the field's name, and models have fields named
            # status and code: those keys are a string (the doorway's) or a field's error list.
            "status": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                       "description": "The current state after a refused transition, or the errors of a field named status."},
            "guards": {"type": "array", "items": {"type": "string"}},
            "code": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                     "description": "An error code, or the errors of a field named code."},
        },
        "additionalProperties": True,
    })
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            wanted = ["401", "403"]
            if "{" in path:
                wanted.append("404")
            if method != "get":
                wanted += ["400", "409"]
            for code in wanted:
                responses.setdefault(code, {"description": ERROR_RESPONSES[code], **ref})
    return result
