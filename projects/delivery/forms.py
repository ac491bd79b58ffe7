"""Forms of the project pages. They parse input; the rules live in services/projects.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from organizations.choices import Role
from projects.delivery.choices import Machine
from projects.demands.models import Demand

DATE = {"type": "date"}


class BootstrapMixin:
    """Bootstrap classes on every widget, so that templates render fields as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


class TransitionForm(forms.Form):
    """One transition of one machine, with an optional comment for the log."""

    machine = forms.ChoiceField(label=_("Machine"), choices=Machine.choices)
    name = forms.CharField(label=_("Transition"), max_length=40)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProjectForm(BootstrapMixin, forms.Form):
    """A project's details: name, manager, approved budget, planned and actual dates."""

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    manager = forms.ModelChoiceField(label=_("Project manager"), queryset=get_user_model().objects.none(), required=False)
    approved_budget = forms.DecimalField(label=_("Approved budget (CNY)"), max_digits=14, decimal_places=2)
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=forms.DateInput(attrs=DATE))
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=forms.DateInput(attrs=DATE))
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=forms.DateInput(attrs=DATE))
    actual_end = forms.DateField(label=_("Actual end"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = get_user_model().objects.filter(role=Role.PROJECT_MANAGER, is_active=True).order_by("username")


class MilestoneForm(BootstrapMixin, forms.Form):
    """A milestone: name, planned date, actual date and its acceptance document."""

    name = forms.CharField(label=_("Name"), max_length=200)
    planned_date = forms.DateField(label=_("Planned date"), widget=forms.DateInput(attrs=DATE))
    actual_date = forms.DateField(label=_("Actual date"), required=False, widget=forms.DateInput(attrs=DATE))
    document = forms.FileField(
        label=_("Acceptance document"), required=False,
        help_text=_("PDF, OFD, Word, Excel, JPG or PNG, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ofd,.docx,.xlsx,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttachDemandForm(forms.Form):
    """An approved demand without a project, to join this one."""

    demand = forms.ModelChoiceField(label=_("Approved demand"), queryset=Demand.objects.none())

    def __init__(self, *args, demands=None, **kwargs):
        super().__init__(*args, **kwargs)
        if demands is not None:
            self.fields["demand"].queryset = demands
