"""The form of the report page: which report, which format, which filters.

Each filter field shows only for the kinds that take it (`field_kinds`, read from the builders'
parameter serializers; static/js/report_form.js hides the others, and the server ignores a field a
kind does not take). The project approval sheet and the redundancy review name their object by its
number (XM-2026-0001, XQ-…; the pages' buttons send its id), looked up among what the requester may
see: anything else is "no such project / demand that you may see", as a 404 would say. Errors
name the field by its label in the reader's language.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from budgets.choices import FundingSource, SavingDecision
from organizations.choices import RegionLevel
from organizations.models import Region
from organizations.selectors import visible_orgs
from projects.delivery.selectors import projects_visible_to
from projects.demands.choices import DemandStatus
from projects.demands.selectors import demands_visible_to

from .choices import ReportFormat, ReportKind
from .registry import builder_for, registered_kinds

# Form fields that fill a parameter of another name.
PARAM_OF_FIELD = {"org": "org", "city": "city", "year": "year", "states": "states", "source": "source",
                  "decision": "decision", "demand": "demand", "project": "project"}


def _name(name: str, name_en: str) -> str:
    return name_en if (get_language() or "").startswith("en") and name_en else name


def org_choices(user) -> list:
    """The organizations `user` may see, grouped by city (provincial ones first, under "Provincial")."""
    groups: dict[str, list] = {}
    rows = visible_orgs(user).order_by("city__code", "code").values_list(
        "pk", "name", "name_en", "level", "city__name", "city__name_en")
    for pk, name, name_en, level, city, city_en in rows:
        group = _name(city, city_en) if city else (_("Provincial") if level == RegionLevel.PROVINCE else _("Other"))
        groups.setdefault(group, []).append((pk, _name(name, name_en)))
    provincial = _("Provincial")
    ordered = sorted(groups.items(), key=lambda kv: kv[0] != provincial)  # stable: cities keep their code order
    return [("", _("Any organization"))] + [(group, items) for group, items in ordered]


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Report"))
    format = forms.ChoiceField(label=_lazy("Format"), choices=ReportFormat.choices)
    project = forms.CharField(label=_lazy("Project number"), required=False, max_length=40,
                              widget=forms.TextInput(attrs={"placeholder": "XM-2026-0001", "autocomplete": "off"}))
    demand = forms.CharField(label=_lazy("Demand number"), required=False, max_length=40,
                             widget=forms.TextInput(attrs={"placeholder": "XQ-2026-000001", "autocomplete": "off"}))
    year = forms.IntegerField(label=_lazy("Year"), required=False, min_value=2000, max_value=2100)
    org = forms.TypedChoiceField(label=_lazy("Organization"), required=False, coerce=int, empty_value=None)
    city = forms.ModelChoiceField(label=_lazy("City"), required=False, queryset=Region.objects.filter(level=RegionLevel.CITY).order_by("code"),
                                  empty_label=_lazy("Any city"))
    source = forms.ChoiceField(label=_lazy("Funding source"), required=False,
                               choices=[("", _lazy("Any source")), *FundingSource.choices])
    decision = forms.ChoiceField(label=_lazy("Decision"), required=False,
                                 choices=[("", _lazy("Any decision")), *SavingDecision.choices])
    states = forms.MultipleChoiceField(label=_lazy("States"), required=False, choices=DemandStatus.choices,
                                       widget=forms.SelectMultiple(attrs={"size": 5}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        labels = dict(ReportKind.choices)
        self.fields["kind"].choices = [(k, labels.get(k, k)) for k in registered_kinds()]
        self.fields["org"].choices = org_choices(user)
        self.fields["org"].widget.attrs["data-filterable"] = _("Type to filter the organizations")
        self.field_kinds = self._field_kinds()
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if name in self.field_kinds:
                field.kinds = " ".join(self.field_kinds[name])

    @staticmethod
    def _field_kinds() -> dict[str, list[str]]:
        """For each filter field, the kinds whose parameters include it."""
        out: dict[str, list[str]] = {}
        for kind in registered_kinds():
            builder = builder_for(kind)
            accepted = set(builder.params().fields) if builder else set()
            for field, param in PARAM_OF_FIELD.items():
                if param in accepted:
                    out.setdefault(field, []).append(kind)
        return out

    def _accepted(self, kind) -> dict:
        builder = builder_for(kind) if kind else None
        return dict(builder.params().fields) if builder else {}

    def clean(self):
        data = super().clean()
        accepted = self._accepted(data.get("kind"))
        finders = {
            "project": (projects_visible_to, _("Enter the number of the project (e.g. XM-2026-0001)."),
                        _("There is no project numbered “%(value)s” that you may see.")),
            "demand": (demands_visible_to, _("Enter the number of the demand (e.g. XQ-2026-000001)."),
                       _("There is no demand numbered “%(value)s” that you may see.")),
        }
        for name, (visible, missing, unknown) in finders.items():
            value = (data.get(name) or "").strip()
            if name not in accepted:
                data[name] = None
                continue
            if not value:
                if accepted[name].required:
                    self.add_error(name, missing)
                continue
            qs = visible(self.user)
            found = qs.filter(code__iexact=value).values_list("pk", flat=True).first()
            if found is None and value.isdigit() and len(value) < 19:
                found = qs.filter(pk=int(value)).values_list("pk", flat=True).first()  # the pages' buttons send the id
            if found is None:
                self.add_error(name, unknown % {"value": value})
            else:
                data[name] = found
        return data

    def params(self) -> dict:
        """The parameters the chosen report takes, from the filled-in fields (ids, not objects)."""
        data = self.cleaned_data
        accepted = set(self._accepted(data["kind"]))
        values = {
            "year": data.get("year"), "org": data.get("org"),
            "city": data["city"].pk if data.get("city") else None, "states": data.get("states") or None,
            "source": data.get("source") or None, "decision": data.get("decision") or None,
            "demand": data.get("demand"), "project": data.get("project"),
        }
        return {k: v for k, v in values.items() if k in accepted and v not in (None, "", [])}

    def label_of(self, key: str) -> str:
        """The label of the field that fills parameter `key` (the key itself if none does)."""
        field = self.fields.get(key)
        return str(field.label) if field is not None else key
