"""Forms of the demand pages. They only shape input: every rule lives in services.demands."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from assets.models import Capability, DataResource
from core.concurrency import edit_version
from core.forms import DateInput, MoneyField, PhoneField, TextLengthMixin
from projects.demands.attachments import check_attachment
from projects.demands.choices import ConstructionType, Domain, Urgency
from projects.demands.models import Demand, field_label
from projects.demands.services import DemandInvalid
from projects.demands.transitions import FIXABLE_FIELDS


def _label(name: str):
    return capfirst(Demand._meta.get_field(name).verbose_name)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked against the attachment rules."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.ofd,.docx,.xlsx,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _money_field(name: str) -> MoneyField:
    """An amount as clerks type it (50万, 1,000,000, ¥1.5亿), shown grouped with its value in words."""
    field = MoneyField(label=_label(name), required=False)
    field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " form-control budget-part").strip()
    return field


class DemandForm(TextLengthMixin, forms.Form):
    """The multi-section demand form: basic information, content, capabilities, data, budget, plan, files."""

    text_max_lengths = {"description": 20_000, "resources_wanted": 5_000, "policy_basis": 5_000}

    SECTIONS = [
        ("basic", _("Basic information"), ["title", "contact_name", "contact_phone", "domain", "construction_type", "urgency"]),
        ("content", _("Construction content"), ["description", "resources_wanted", "policy_basis"]),
        ("capabilities", _("Capabilities needed"), ["capabilities"]),
        ("data", _("Data resources needed"), ["data_resources"]),
        ("budget", _("Budget"), ["budget_hardware", "budget_software", "budget_services", "budget_operations"]),
        ("plan", _("Plan"), ["planned_start", "planned_end"]),
        ("files", _("Attachments"), ["attachments"]),
    ]

    title = forms.CharField(
        label=_label("title"), max_length=200, required=False,
        help_text=_("What is to be built, in one line, e.g. “Unified identity authentication platform for smart campuses of the Changchun Education Bureau”."),
    )
    contact_name = forms.CharField(label=_label("contact_name"), max_length=50, required=False)
    contact_phone = PhoneField(label=_label("contact_phone"), max_length=30, required=False)
    domain = forms.ChoiceField(label=_label("domain"), choices=[("", "—")] + Domain.choices, required=False)
    construction_type = forms.ChoiceField(
        label=_label("construction_type"), choices=[("", "—")] + ConstructionType.choices, required=False
    )
    urgency = forms.ChoiceField(label=_label("urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, required=False)
    description = forms.CharField(
        label=_label("description"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The business problem, the users, the functions to build, and what exists today. "
                    "Reviewers look for what duplicates existing systems."),
    )
    resources_wanted = forms.CharField(
        label=_label("resources_wanted"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Servers, storage or cloud resources on the provincial cloud (Jilin Propitious Cloud), with sizes."),
    )
    policy_basis = forms.CharField(
        label=_label("policy_basis"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The documents that call for this construction (title and number)."),
    )
    capabilities = forms.ModelMultipleChoiceField(
        label=_label("capabilities"), queryset=Capability.objects.all(), to_field_name="code", required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The shared capabilities the system needs: the province may already provide them."),
    )
    data_resources = forms.ModelMultipleChoiceField(
        label=_label("data_resources"), queryset=DataResource.objects.select_related("owner_org"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    budget_hardware = _money_field("budget_hardware")
    budget_software = _money_field("budget_software")
    budget_services = _money_field("budget_services")
    budget_operations = _money_field("budget_operations")
    # A date input takes ISO dates only, whatever the locale's own format (zh-hans: 2027/03/01).
    planned_start = forms.DateField(label=_label("planned_start"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_label("planned_end"), required=False, widget=DateInput())
    attachments = MultipleFileField(
        label=_("Add attachments"),
        help_text=_("PDF, OFD, Word (docx), Excel (xlsx), JPG or PNG; at most 20 MB each."),
    )

    # The version the person loaded (core.concurrency): an edit of a changed demand is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, demand: Demand | None = None, **kwargs):
        if demand is not None and "initial" not in kwargs:
            kwargs["initial"] = {**initial_for(demand), "version": edit_version(demand)}
        super().__init__(*args, **kwargs)
        self.demand = demand
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.ClearableFileInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            if name in self.fields_to_fix:
                widget.attrs["class"] += " border-danger"

    @property
    def fields_to_fix(self) -> list[str]:
        return list(self.demand.fields_to_fix or []) if self.demand is not None else []

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        errors = []
        for f in files:
            try:
                check_attachment(f)
            except DemandInvalid as err:
                errors.append(str(err.message))
        if errors:
            raise forms.ValidationError(errors)
        return files

    def sections(self):
        """(key, title, [bound fields]) in page order."""
        return [(key, title, [self[n] for n in names]) for key, title, names in self.SECTIONS]

    def service_data(self) -> dict:
        """The cleaned values as `save_demand` takes them (attachments apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("attachments", "version")}

    def add_service_errors(self, err: DemandInvalid) -> None:
        """Show the service's field errors next to their fields (others on top of the form)."""
        for name, messages in (err.field_errors or {}).items():
            messages = messages if isinstance(messages, list | tuple) else [messages]
            target = name if name in self.fields else None
            if name == "budget_total":
                target = None
            for message in messages:
                self.add_error(target, str(message))
        if not err.field_errors:
            self.add_error(None, str(err.message))


def initial_for(demand: Demand) -> dict:
    initial = {
        name: getattr(demand, name)
        for name in (
            "title", "contact_name", "contact_phone", "domain", "construction_type", "urgency", "description",
            "resources_wanted", "policy_basis", "budget_hardware", "budget_software", "budget_services",
            "budget_operations", "planned_start", "planned_end",
        )
    }
    if demand.pk:
        initial["capabilities"] = [c.code for c in demand.capabilities.all()]
        initial["data_resources"] = list(demand.data_resource_links.values_list("resource_id", flat=True))
    return initial


class TransitionForm(forms.Form):
    """The action box of the demand page: which transition, a comment, and what it needs."""

    name = forms.CharField(max_length=40)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    fields_to_fix = forms.MultipleChoiceField(
        label=_("Fields to fix"), required=False, choices=[], widget=forms.CheckboxSelectMultiple
    )
    target = forms.CharField(
        label=_("Merge into (demand or project number)"), required=False, max_length=30,
        help_text=_("e.g. XQ-2026-000123 or XM-2026-0001"),
    )
    system = forms.IntegerField(label=_("System to reuse"), required=False)
    system_code = forms.CharField(label=_("or the number of another catalogue system"), required=False, max_length=30)
    incremental_cost = forms.CharField(label=_("Incremental cost of the merge (CNY, optional)"), required=False, max_length=60,
                                       help_text=_("What merging still costs; the saving is the demand's total minus it."))
    adaptation_cost = forms.CharField(label=_("Adaptation cost of the reuse (CNY, optional)"), required=False, max_length=60,
                                      help_text=_("What adapting the system costs; the saving is the demand's total minus it."))
    approved_budget = forms.CharField(label=_("Approved budget (CNY)"), required=False, max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields_to_fix"].choices = [(f, capfirst(field_label(f))) for f in FIXABLE_FIELDS]
