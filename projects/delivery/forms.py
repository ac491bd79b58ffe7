"""Forms of the project pages. They parse input; the rules live in services.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from assets.choices import HardwareKind, HardwareLocation
from core.forms import DateInput, MoneyField, TextLengthMixin
from organizations.choices import Role
from projects.delivery.choices import Machine, MilestoneKind
from projects.demands.models import Demand


class BootstrapMixin:
    """Bootstrap classes on every widget, so that templates render fields as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput | forms.RadioSelect):
                continue
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


class TransitionForm(forms.Form):
    """One transition of one machine, with an optional comment for the log."""

    machine = forms.ChoiceField(label=_("Machine"), choices=Machine.choices)
    name = forms.CharField(label=_("Transition"), max_length=40)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProjectForm(TextLengthMixin, BootstrapMixin, forms.Form):
    """A project's details: name, manager, planned and actual dates.

    The approved budget is not here: it changes only through a budget change approved by a
    provincial approver. `version` is the project as the person loaded it (core.concurrency):
    an edit of a project that changed since then is refused, never saved over it.
    """

    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    manager = forms.ModelChoiceField(label=_("Project manager"), queryset=get_user_model().objects.none(), required=False)
    # A date input reads ISO dates only, whatever the locale's own format (zh-hans: 2027/06/30).
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=DateInput())
    actual_end = forms.DateField(label=_("Actual end"), required=False, widget=DateInput())
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = get_user_model().objects.filter(role=Role.PROJECT_MANAGER, is_active=True).order_by("username")


class MilestoneForm(TextLengthMixin, BootstrapMixin, forms.Form):
    """A milestone: name, kind, planned date, actual date and its acceptance document."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=MilestoneKind.choices, initial=MilestoneKind.STEP, required=False,
        help_text=_("The acceptance milestone, with its signed acceptance document, lets the development be delivered."),
    )
    planned_date = forms.DateField(label=_("Planned date"), widget=DateInput())
    actual_date = forms.DateField(label=_("Actual date"), required=False, widget=DateInput())
    document = forms.FileField(
        label=_("Acceptance document"), required=False,
        help_text=_("PDF, OFD, Word, Excel, JPG or PNG, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ofd,.docx,.xlsx,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_kind(self):
        return self.cleaned_data.get("kind") or MilestoneKind.STEP


class HardwareItemForm(TextLengthMixin, BootstrapMixin, forms.Form):
    """A hardware or cloud item the project needs, with its cost (the hardware request lists them)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=HardwareKind.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=100000, initial=1)
    unit_cost = MoneyField(label=_("Unit cost (CNY)"))
    location = forms.ChoiceField(label=_("Location"), choices=HardwareLocation.choices, initial=HardwareLocation.PROVINCIAL_CLOUD)
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=200)


class AttachDemandForm(forms.Form):
    """An approved demand without a project, to join this one."""

    demand = forms.ModelChoiceField(label=_("Approved demand"), queryset=Demand.objects.none())

    def __init__(self, *args, demands=None, **kwargs):
        super().__init__(*args, **kwargs)
        if demands is not None:
            self.fields["demand"].queryset = demands
