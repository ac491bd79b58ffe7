"""PDF reports with WeasyPrint: HTML templates under templates/reports/pdf/, A4 paged media.

The base template sets `<html lang="zh-CN">` and an explicit CJK font stack (Noto CJK from the
Debian package the Makefile installs, then WenQuanYi), in the page margin boxes too: a missing
glyph only logs a warning in WeasyPrint, so the tests read the text back with pdftotext and check
the embedded fonts with pdffonts. Charts are inline SVG made here on the server (reports/charts.py).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _


def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line ends escaped the CSS way."""
    out = []
    for ch in text:
        if ch in '"\\' or ord(ch) < 32 or ch in "<>":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_counter_css() -> str:
    """`content` of the page-number box: "Page 3 of 9" / "第 3 页，共 9 页" from one translated text."""
    text = _("Page {page} of {pages}")
    before, rest = text.split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    return f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) {css_string(after)}"


_local = threading.local()


def font_config():
    """One WeasyPrint FontConfiguration per thread, kept for the life of the process.

    WeasyPrint makes a new one (a new Pango font map) for every document unless given one, and then
    finds, opens and measures the CJK faces again: about a second of a two-page approval sheet.
    Kept, the faces stay loaded between documents. The templates declare no @font-face (the fonts
    are the system's), so nothing of one document stays in it for the next. Per thread: a Pango font
    map is not shared between threads.
    """
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def render_pdf(template: str, context: dict, *, title: str, authority: str, generated_at, language: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs a second at process start

    html = render_to_string(template, {
        **context,
        "title": title,
        "authority": authority,
        "generated_at": timezone.localtime(generated_at),
        "page_css": page_counter_css(),
        "html_lang": "zh-CN" if language.startswith("zh") else "en",
    })
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=font_config())
