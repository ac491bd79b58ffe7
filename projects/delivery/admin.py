"""Administration of projects: read everything, change descriptive text; states, money and
beneficiaries only through the services."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline
from core.concurrency import StaleEdit, edit_version, lock_and_compare

from .models import Milestone, Project


def document_link(milestone: Milestone):
    """A private file: linked through the download view that checks who may read it."""
    if not milestone.pk or not milestone.document:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("projects:milestone_document", args=[milestone.pk]), milestone.document.name.rsplit("/", 1)[-1])


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["name", "planned_date", "actual_date", "document_file"]
    readonly_fields = fields

    @admin.display(description=_("document"))
    def document_file(self, obj):
        return document_link(obj)


class ProjectAdminForm(forms.ModelForm):
    """The admin's edit of a project's descriptive fields, refused when the project changed since it was opened."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = ["name", "description", "planned_start", "planned_end", "actual_start", "actual_end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = edit_version(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin saves inside its own transaction: the row stays locked until this edit is saved.
            try:
                lock_and_compare(Project, self.instance.pk, cleaned.get("version"))
            except StaleEdit as err:
                raise forms.ValidationError(err.message, code="stale_edit") from None
        return cleaned


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["code", "name", "construction_org", "hardware_status", "funding_status", "development_status", "operations_status"]
    list_filter = ["hardware_status", "funding_status", "development_status", "operations_status", "year"]
    search_fields = ["code", "name"]
    list_select_related = ["construction_org"]
    readonly_fields = [
        "code", "year", "construction_org", "beneficiary_orgs", "manager", "approved_budget",
        "hardware_status", "funding_status", "development_status", "operations_status",
    ]
    inlines = [MilestoneInline]

    def has_add_permission(self, request):
        return False  # a project is born from an approved demand

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    """Milestones are recorded on the project page by its managers (with their documents)."""

    list_display = ["name", "project", "planned_date", "actual_date"]
    list_select_related = ["project"]
    fields = ["project", "name", "planned_date", "actual_date", "document_file", "note"]
    readonly_fields = fields

    @admin.display(description=_("document"))
    def document_file(self, obj):
        return document_link(obj)
