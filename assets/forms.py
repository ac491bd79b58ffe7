"""Forms of the catalogue pages. They validate input; the views hand the cleaned data to assets.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateInput, MoneyField, TextLengthMixin
from core.uploads import TABLE_KINDS, check_upload
from organizations.models import Organization

from . import selectors
from .importing import MAX_ROWS, MAX_UPLOAD_BYTES
from .models import Capability, DataResource, HardwareItem, InformationSystem


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class OrgMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class CapabilityMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


DESCRIPTION_MAX = 5000


def description_field():
    return forms.CharField(label=_("description"), required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class SystemForm(TextLengthMixin, forms.ModelForm):
    description = description_field()
    owner_org = OrgChoiceField(queryset=Organization.objects.none(), label=_("Owner"))
    capabilities = CapabilityMultipleChoiceField(
        queryset=Capability.objects.order_by("sort_order", "code"), to_field_name="code", required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Capabilities"),
    )
    user_orgs = OrgMultipleChoiceField(
        queryset=Organization.objects.select_related("region").order_by("region__code", "-is_coordination_authority", "code"),
        required=False, widget=forms.SelectMultiple(attrs={"size": 12}), label=_("User organizations"),
        help_text=_("Other organizations that use this system (hold Ctrl to choose several)."),
    )

    url = forms.URLField(label=_("address"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = InformationSystem
        fields = ["name", "description", "owner_org", "capabilities", "user_orgs", "status", "build_mode", "url",
                  "yearly_ops_cost", "security_level", "last_assessment"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "last_assessment": DateInput(),
            "security_level": forms.Select(choices=[("", "—"), *[(i, str(i)) for i in range(1, 6)]]),
        }
        field_classes = {"yearly_ops_cost": MoneyField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].queryset = selectors.changeable_orgs(user)
        if self.instance.pk and self.instance.project_id:
            self.fields["status"].disabled = True
            self.fields["status"].help_text = _("Follows the operations of the project that built this system.")
        for name, field in self.fields.items():
            if name != "capabilities":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)


class DataResourceForm(TextLengthMixin, forms.ModelForm):
    description = description_field()
    owner_org = OrgChoiceField(queryset=Organization.objects.none(), label=_("Owner"))

    class Meta:
        model = DataResource
        fields = ["name", "description", "owner_org", "update_frequency", "record_count", "sharing", "opening"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].queryset = selectors.changeable_orgs(user)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")


class SystemByCodeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class HardwareForm(TextLengthMixin, forms.ModelForm):
    system = SystemByCodeField(queryset=InformationSystem.objects.none(), required=False, label=_("System"))

    class Meta:
        model = HardwareItem
        fields = ["name", "kind", "system", "vcpu", "memory_gb", "storage_tb", "quantity", "unit_cost", "location", "supplier",
                  "warranty_end", "status"]
        widgets = {"warranty_end": DateInput()}
        field_classes = {"unit_cost": MoneyField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = selectors.changeable_systems(user)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select) else "form-control")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "An Excel workbook (.xlsx) or a CSV file with the template's columns, at most %(mb)d MB and %(rows)s rows."
        ) % {"mb": MAX_UPLOAD_BYTES // 1024 // 1024, "rows": f"{MAX_ROWS:,}"}

    def clean_file(self):
        """The shared upload check (core.uploads): an xlsx or csv by name and by content, at most MAX_UPLOAD_BYTES."""
        upload = self.cleaned_data["file"]
        check_upload(upload, kinds=TABLE_KINDS, max_bytes=MAX_UPLOAD_BYTES)
        return upload
