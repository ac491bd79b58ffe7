"""The form of the report page: which report, which format, which filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.choices import RegionLevel
from organizations.models import Region
from organizations.selectors import visible_orgs
from projects.demands.choices import DemandStatus

from .choices import ReportFormat, ReportKind
from .registry import builder_for, registered_kinds


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"))
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    org = forms.ModelChoiceField(label=_("Organization"), required=False, queryset=None, empty_label=_("Any organization"))
    city = forms.ModelChoiceField(label=_("City"), required=False, queryset=Region.objects.filter(level=RegionLevel.CITY).order_by("code"),
                                  empty_label=_("Any city"))
    states = forms.MultipleChoiceField(label=_("States"), required=False, choices=DemandStatus.choices,
                                       widget=forms.SelectMultiple(attrs={"size": 5}))
    demand = forms.IntegerField(label=_("Demand (id)"), required=False, min_value=1, widget=forms.HiddenInput)
    project = forms.IntegerField(label=_("Project (id)"), required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ReportKind.choices)
        self.fields["kind"].choices = [(k, labels.get(k, k)) for k in registered_kinds()]
        self.fields["org"].queryset = visible_orgs(user).order_by("code")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def params(self) -> dict:
        """The parameters the chosen report takes, from the filled-in fields (ids, not objects)."""
        data = self.cleaned_data
        builder = builder_for(data["kind"])
        accepted = set(builder.params().fields) if builder else set()
        values = {
            "year": data.get("year"), "org": data["org"].pk if data.get("org") else None,
            "city": data["city"].pk if data.get("city") else None, "states": data.get("states") or None,
            "demand": data.get("demand"), "project": data.get("project"),
        }
        return {k: v for k, v in values.items() if k in accepted and v not in (None, "", [])}
