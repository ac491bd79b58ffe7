"""Forms of the money pages: amounts as clerks type them (core.forms.MoneyField), ISO dates, bounded text."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, MoneyField, TextLengthMixin
from core.uploads import DOCUMENT_KINDS, check_upload

from .choices import Category, DisbursementState, FundingSource


class BudgetLineForm(TextLengthMixin, forms.Form):
    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    amount = MoneyField(label=_("Amount (CNY)"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].initial = timezone.localdate().year


class DisbursementForm(TextLengthMixin, forms.Form):
    budget_line = forms.TypedChoiceField(label=_("Budget line"), coerce=int)
    amount = MoneyField(label=_("Amount (CNY)"))
    voucher_no = forms.CharField(label=_("Voucher number"), max_length=40)
    payee = forms.CharField(label=_("Payee"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=300)
    milestone = forms.TypedChoiceField(label=_("Milestone paid for"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, lines=(), milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = [(line.pk, f"{line.fiscal_year} {line.get_source_display()} {line.get_category_display()}")
                                              for line in lines]
        self.fields["milestone"].choices = [("", "—")] + [(m.pk, m.name) for m in milestones]
        self.fields["date"].initial = timezone.localdate()


class PartialAllocationForm(TextLengthMixin, forms.Form):
    reason = forms.CharField(label=_("Why only part of the budget is allocated"), widget=forms.Textarea(attrs={"rows": 2}))
    text_max_lengths = {"reason": 2000}


class BudgetChangeForm(TextLengthMixin, forms.Form):
    new_amount = MoneyField(label=_("New approved budget (CNY)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label=_("Document"), required=False,
                               help_text=_("The approval document (PDF, OFD, Word, Excel, JPG or PNG)."))
    text_max_lengths = {"reason": 4000}

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            check_upload(upload, kinds=DOCUMENT_KINDS)
        return upload


class DecisionForm(TextLengthMixin, forms.Form):
    name = forms.ChoiceField(choices=[("approve", _("Approve")), ("pay", _("Pay")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("Open (requested or approved)"))] + list(DisbursementState.choices))
