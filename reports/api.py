"""API of reports (contract.md): `POST /api/v1/reports/` → 202 `{"id", "status"}`;
`GET /api/v1/reports/{id}/` → `{"status", "progress", "download_url", "error"}`.

A job is its requester's: anyone else gets 404. Asking again for a report that is still queued
or running returns that job (202, the same id). Bad kind, format or parameters: 400 naming the
field; a demand or project the caller may not see: 404.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from .choices import JobStatus, ReportFormat, ReportKind
from .models import ReportJob
from .selectors import job_for, jobs_visible_to
from .services import ReportRequestInvalid, fail_stale_jobs, request_report


class ReportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    format = serializers.ChoiceField(choices=ReportFormat.choices)
    params = serializers.JSONField(required=False, default=dict, help_text="year, org, city, states; demand or project")


class ReportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.choices)


class ReportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = ["id", "kind", "format", "params", "status", "progress", "download_url", "error", "created_at",
                  "finished_at", "expires_at"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        """Where the file is fetched once done (only by the requester); null before, after a failure or expiry."""
        if not obj.is_downloadable:
            return None
        url = reverse("reports:download", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ReportViewSet(viewsets.GenericViewSet):
    """Report jobs of the caller."""

    serializer_class = ReportJobSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return jobs_visible_to(self.request.user)

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportCreatedSerializer})
    def create(self, request):
        """Ask for a report: 202 with the job (a new one, or the one already running for the same request)."""
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            job, _created = request_report(user=request.user, kind=body.validated_data["kind"],
                                           fmt=body.validated_data["format"], params=body.validated_data["params"])
        except ReportRequestInvalid as exc:
            raise ValidationError(exc.errors) from None
        job.refresh_from_db(fields=["status"])  # inline jobs are finished by now
        return Response({"id": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)

    def retrieve(self, request, pk=None):
        """The job's status, progress (0–100), download URL once done, error once failed."""
        job = job_for(request.user, pk)
        if job.is_active and fail_stale_jobs(user=request.user):
            job = job_for(request.user, pk)
        return Response(self.get_serializer(job).data)


router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")

urlpatterns = router.urls
