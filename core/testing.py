"""Test helpers every app's tests share.

`assert_edit_round_trip(client, url, obj)`: open an edit page in each language, post back what
the page shows exactly as a browser would (a date input that cannot read its value sends it
empty, a textarea sends CRLF line breaks, disabled fields send nothing, unchecked boxes send
nothing), and assert the record did not change. This is what caught dates wiped by a localized
`value="2027/06/30"` in the Chinese interface.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.conf import settings
from django.db import models
from django.forms import BaseForm

# What a browser keeps of an input's value attribute (the HTML "value sanitization algorithm").
_SANITIZE = {
    "date": re.compile(r"\d{4,}-\d{2}-\d{2}"),
    "datetime-local": re.compile(r"\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"),
    "time": re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?"),
    "month": re.compile(r"\d{4,}-\d{2}"),
    "number": re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"),
    "range": re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"),
}
_NOT_SENT = {"submit", "button", "reset", "image", "file"}


class _Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.controls: list[tuple[str, dict, str | list]] = []  # (tag, attrs, value or options)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form = None
        self._textarea = None
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: ("" if v is None else v) for k, v in attrs}
        if tag == "form":
            self._form = _Form(attrs)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form.controls.append(("input", attrs, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs, ""]
        elif tag == "select":
            self._select = [attrs, []]
        elif tag == "option" and self._select is not None:
            self._option = [attrs, ""]
            self._select[1].append(self._option)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        elif self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.controls.append(("textarea", *self._textarea))
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            self._form.controls.append(("select", *self._select))
            self._select = None


def _entries(form: _Form) -> list[tuple[str, str]]:
    data = []
    for tag, attrs, value in form.controls:
        name = attrs.get("name")
        if not name or "disabled" in attrs:
            continue
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in _NOT_SENT:
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    data.append((name, attrs.get("value", "on")))
                continue
            pattern = _SANITIZE.get(kind)
            if pattern is not None and not pattern.fullmatch(value):
                value = ""  # the browser cannot read it: it shows nothing and sends nothing
            data.append((name, value))
        elif tag == "textarea":
            # The parser drops the newline right after <textarea>; a browser submits CRLF line breaks.
            text = value[1:] if value.startswith("\n") else value
            data.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))
        elif tag == "select":
            options = [(a.get("value", text.strip()), a) for a, text in value if "disabled" not in a]
            chosen = [v for v, a in options if "selected" in a]
            if "multiple" not in attrs:
                chosen = chosen[-1:] or [v for v, _a in options[:1]]
            data.extend((name, v) for v in chosen)
    return data


def browser_form_data(html: str, form: int | str | None = None) -> dict[str, list[str]]:
    """What a browser would post for a form of the page, unchanged: {name: [values]}.

    `form`: the form's index on the page, or its id; by default the POST form with the most
    fields (the page's own form, not the language switch or the logout button).
    """
    parser = _FormParser()
    parser.feed(html)
    forms = parser.forms
    if isinstance(form, int):
        chosen = forms[form]
    elif isinstance(form, str):
        chosen = next(f for f in forms if f.attrs.get("id") == form)
    else:
        posts = [f for f in forms if f.attrs.get("method", "get").lower() == "post"]
        assert posts, "the page has no POST form"
        chosen = max(posts, key=lambda f: len(f.controls))
    data: dict[str, list[str]] = {}
    for name, value in _entries(chosen):
        data.setdefault(name, []).append(value)
    return data


def snapshot(obj: models.Model) -> dict:
    """A record's stored values (fields written automatically on save left out), its many-to-many links as sets."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    values = {}
    for field in obj._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            continue
        values[field.name] = getattr(obj, field.attname)
    for field in obj._meta.many_to_many:
        values[field.name] = set(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def assert_edit_round_trip(client, url: str, obj: models.Model, *, languages=None, form=None, expected_status=302, extra=None):
    """Open the edit page in each language and save it unchanged, as a browser would: nothing changes.

    `client` is logged in as someone who may edit `obj`; `extra` adds or replaces posted values
    (a submit button's name, say). Answers the data posted per language, for further checks.
    """
    languages = languages or [code for code, _name in settings.LANGUAGES]
    before = snapshot(obj)
    posted = {}
    for language in languages:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(url)
        assert page.status_code == 200, f"{language}: GET {url} answered {page.status_code}"
        data = browser_form_data(page.content.decode(), form=form)
        data.update({k: v if isinstance(v, list) else [v] for k, v in (extra or {}).items()})
        response = client.post(url, data)
        errors = {}
        if response.status_code != expected_status and response.context is not None:
            contexts = response.context if isinstance(response.context, list) else [response.context]
            errors = {k: v.errors for c in contexts for k, v in c.flatten().items() if isinstance(v, BaseForm) and v.errors}
        assert response.status_code == expected_status, f"{language}: saving unchanged answered {response.status_code} {errors}"
        after = snapshot(obj)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert changed == {}, f"{language}: saving the unchanged form changed {changed}"
        posted[language] = data
    return posted
