"""Form fields and widgets every app uses for what people type: amounts, dates, phone numbers, text.

* `MoneyField` and `MoneyInput`: amounts as clerks type them (core.money), shown as 1,234,567.00.
* `DateInput` and `DateTimeInput`: `<input type="date">` and `datetime-local` with ISO values in
  every language (a browser shows a localized value such as 2027/06/30 as empty, and saving the
  form then wipes the date).
* `PhoneField`: a mainland phone number (core.validators.validate_phone).
* `TextLengthMixin`: text over a field's length is refused with a message naming the field,
  never cut by the browser; the counter beside the input comes from static/js/inputs.js.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.utils import pretty_name
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .money import AmountError, format_amount, parse_amount
from .validators import PHONE_MAX_LENGTH, validate_phone

# ---------------------------------------------------------------- money


class MoneyInput(forms.TextInput):
    """A text input for an amount: 1,234,567.00 with two decimals ("0.00" for zero); what was typed is shown back as typed.

    static/js/money.js finds it by `data-money` and shows the parsed amount beside it.
    """

    def __init__(self, attrs=None):
        defaults = {"inputmode": "decimal", "autocomplete": "off", "data-money": "", "spellcheck": "false"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_amount(value)
        return str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The hint's wording in the page's language, read by money.js (no strings live in the script).
        context["widget"]["attrs"].update({
            "data-money-yuan": gettext("= %(amount)s CNY"),
            "data-money-wan": gettext("= %(amount)s × 10,000 CNY"),
            "data-money-invalid": gettext("Not an amount: write e.g. 500000, 1,200,000.00, 50万 or 1.5亿"),
        })
        return context


class MoneyField(forms.Field):
    """An amount in CNY (core.money.parse_amount): a Decimal with two places, or a message naming the field and the value.

    Usable as a model form's field class for a DecimalField (`Meta.field_classes`): the model
    field's max_digits and decimal_places are accepted and the amount rules apply.
    """

    widget = MoneyInput
    default_error_messages = {"money": _("%(label)s: %(reason)s.")}

    def __init__(self, *, max_digits=None, decimal_places=None, localize=False, **kwargs):
        kwargs.pop("max_value", None), kwargs.pop("min_value", None), kwargs.pop("step_size", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise ValidationError(
                self.error_messages["money"], code=exc.code,
                params={"label": self.label or gettext("Amount"), "reason": exc.reason, "value": exc.value},
            )


# ---------------------------------------------------------------- dates


class DateInput(forms.DateInput):
    """`<input type="date">`, always with an ISO value (2027-06-30): the only value a browser's date input reads."""

    input_type = "date"
    ISO = "%Y-%m-%d"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=self.ISO)


class DateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">`, always with an ISO value (2027-06-30T14:30) in the current time zone."""

    input_type = "datetime-local"
    ISO = "%Y-%m-%dT%H:%M"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=self.ISO)


# ---------------------------------------------------------------- phone numbers


class PhoneField(forms.CharField):
    """A mainland phone number: mobile, landline with area code, optional extension."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        super().__init__(**kwargs)
        self.validators.append(validate_phone)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not widget.is_hidden:
            attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        return attrs


# ---------------------------------------------------------------- text length


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    """At most `limit_value` characters; the message names the field and both lengths."""

    message = _("“%(label)s” is at most %(limit_value)d characters; this text has %(show_value)d.")

    def __init__(self, limit_value, label, message=None):
        super().__init__(limit_value, message)
        self.label = label

    def __call__(self, value):
        count = self.clean(value)
        if self.compare(count, self.limit_value):
            params = {"limit_value": self.limit_value, "show_value": count, "value": value, "label": self.label}
            raise ValidationError(self.message, code=self.code, params=params)


class TextLengthMixin:
    """Refuse over-long text with a message instead of letting the browser cut it.

    For every text field with a maximum length (its own, or one given in `text_max_lengths` for
    fields such as a model's TextField that have none): the input gets `data-maxlength` (the
    live counter of static/js/inputs.js) instead of `maxlength` (with which a browser silently
    cuts pasted text), and the error names the field and both lengths. Line breaks are counted
    as the browser counts them: a textarea posts CRLF, which is stored as LF.
    """

    text_max_lengths: dict[str, int] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._normalize_line_breaks()
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            limit = self.text_max_lengths.get(name) or field.max_length
            if not limit:
                continue
            field.max_length = limit
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.validators.append(TextLengthValidator(limit, field.label or pretty_name(name)))
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-maxlength"] = str(limit)
            field.widget.attrs["data-maxlength-over"] = gettext("%(count)s characters too many: shorten the text before saving.")

    def _normalize_line_breaks(self):
        if not self.is_bound:
            return
        names = [self.add_prefix(n) for n, f in self.fields.items() if isinstance(f.widget, forms.Textarea)]
        if hasattr(self.data, "getlist"):
            if not any("\r" in v for n in names for v in self.data.getlist(n) if isinstance(v, str)):
                return
            data = self.data.copy()
            for name in names:
                if name in data:
                    data.setlist(name, [_lf(v) for v in data.getlist(name)])
        else:
            data = {k: _lf(v) if k in names else v for k, v in self.data.items()}
        self.data = data


def _lf(value):
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
