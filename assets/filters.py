"""Catalogue filters, shared by the pages and the API (the filtering itself lives in assets.selectors)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core import filters as core_filters
from organizations.choices import RegionLevel
from organizations.models import Organization, Region

from . import selectors
from .choices import BuildMode, HardwareKind, HardwareLocation, HardwareStatus, Opening, Sharing, SystemStatus, UpdateFrequency
from .models import Capability, InformationSystem

YES_NO = [("true", _("Yes")), ("false", _("No"))]


def _owners(model_related_name: str):
    def queryset(request):
        return (
            Organization.objects.filter(pk__in=_owner_ids(model_related_name))
            .select_related("region")
            .order_by("region__code", "-is_coordination_authority", "code")
        )

    return queryset


def _owner_ids(related_name: str):
    from .models import DataResource

    model = InformationSystem if related_name == "owned_systems" else DataResource
    return model.objects.values("owner_org_id")


class OrgChoiceField(core_filters.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


@extend_schema_field(OpenApiTypes.INT)
class OrgFilter(core_filters.ModelChoiceFilter):
    """An organization by id."""

    field_class = OrgChoiceField


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(core_filters.ModelChoiceFilter):
    """A capability or a system by its code."""


@extend_schema_field(OpenApiTypes.INT)
class RegionFilter(core_filters.ModelChoiceFilter):
    """A region by id."""


class _Bound(core_filters.FilterSet):
    """Filters call one selector function with their cleaned value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            widget = field.widget
            widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm")
            widget.attrs.setdefault("aria-label", str(field.label))
            if name == "q":
                widget.attrs.setdefault("placeholder", str(_("Name, description or code")))

    # The selector function that does the filtering: filter_function(queryset, **{name: value}).
    filter_function = staticmethod(lambda queryset, **kwargs: queryset)

    def _apply(self, queryset, name, value):
        return self.filter_function(queryset, **{name: value})


class SystemFilter(_Bound):
    q = core_filters.CharFilter(method="_apply", label=_("Search"))
    capability = CodeFilter(
        queryset=Capability.objects.order_by("sort_order", "code"), to_field_name="code", method="_capability",
        label=_("Capability"), empty_label=_("Any capability"),
    )
    owner_org = OrgFilter(queryset=_owners("owned_systems"), method="_apply", label=_("Owner"), empty_label=_("Any owner"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, method="_apply", label=_("Owner level"), empty_label=_("Any level"))
    status = django_filters.ChoiceFilter(choices=SystemStatus.choices, method="_apply", label=_("Status"), empty_label=_("Any status"))
    city = RegionFilter(
        queryset=Region.objects.filter(level=RegionLevel.CITY).order_by("code"), method="_apply",
        label=_("Used in city"), empty_label=_("Any city"),
    )
    build_mode = django_filters.ChoiceFilter(choices=BuildMode.choices, method="_apply", label=_("Build mode"), empty_label=_("Any build mode"))
    overdue = django_filters.ChoiceFilter(choices=YES_NO, method="_overdue", label=_("Assessment overdue"), empty_label=_("Either"))

    class Meta:
        model = InformationSystem
        fields: list = []

    filter_function = staticmethod(selectors.filter_systems)

    def _overdue(self, queryset, name, value):
        return self.filter_function(queryset, overdue=value == "true")

    def _capability(self, queryset, name, value):
        return self.filter_function(queryset, capability=value.code)


class DataResourceFilter(_Bound):
    q = core_filters.CharFilter(method="_apply", label=_("Search"))
    sharing = django_filters.ChoiceFilter(choices=Sharing.choices, method="_apply", label=_("Sharing"), empty_label=_("Any sharing"))
    opening = django_filters.ChoiceFilter(choices=Opening.choices, method="_apply", label=_("Opening"), empty_label=_("Any opening"))
    owner_org = OrgFilter(queryset=_owners("data_resources"), method="_apply", label=_("Owner"), empty_label=_("Any owner"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, method="_apply", label=_("Owner level"), empty_label=_("Any level"))
    update_frequency = django_filters.ChoiceFilter(
        choices=UpdateFrequency.choices, method="_apply", label=_("Update frequency"), empty_label=_("Any frequency"),
    )

    class Meta:
        from .models import DataResource

        model = DataResource
        fields: list = []

    filter_function = staticmethod(selectors.filter_data_resources)


class HardwareFilter(_Bound):
    q = core_filters.CharFilter(method="_apply", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=HardwareKind.choices, method="_apply", label=_("Kind"), empty_label=_("Any kind"))
    location = django_filters.ChoiceFilter(choices=HardwareLocation.choices, method="_apply", label=_("Location"), empty_label=_("Any location"))
    status = django_filters.ChoiceFilter(choices=HardwareStatus.choices, method="_apply", label=_("Status"), empty_label=_("Any status"))
    system = CodeFilter(
        queryset=InformationSystem.objects.all(), to_field_name="code", method="_apply", label=_("System (code)"),
        widget=forms.TextInput,
    )

    class Meta:
        from .models import HardwareItem

        model = HardwareItem
        fields: list = []

    filter_function = staticmethod(selectors.filter_hardware)
