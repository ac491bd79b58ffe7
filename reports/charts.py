"""Charts for PDFs as inline SVG, drawn on the server (no script runs in a PDF).

Only what the reports need: a horizontal bar chart with its values written beside the bars, so
that the figure reads without the table too. Text is escaped; fonts follow the page's CJK stack.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ("#2f6db5", "#4fa3a5", "#e3a33b", "#c8553d", "#7a5ea8", "#6c8a3c")
# The page's CSS does not reach into an SVG image in WeasyPrint: the chart names the page's sans-serif CJK
# face itself, or its text falls back to other faces (Noto Sans CJK JP, DejaVu Sans), each one more font to
# embed and subset in every PDF.
FONT_FAMILY = "Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif"


def _px(text: str) -> float:
    """Rough width of `text` at 11 px: CJK characters are square, others about 0.6 of that."""
    import unicodedata

    return sum(11.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 6.5 for ch in text)


def fit(text: str, width: float) -> str:
    """`text` cut with an ellipsis to fit `width` pixels."""
    if _px(text) <= width:
        return text
    while text and _px(text + "…") > width:
        text = text[:-1]
    return text + "…"


def bar_chart(items: list[tuple[str, Decimal | int, str]], *, width: int = 640, bar: int = 18, gap: int = 8,
              label_width: int = 190) -> str:
    """`items`: (label, value, value as written). Bars scale to the largest value."""
    if not items:
        return ""
    top = max((float(v) for _l, v, _t in items), default=0) or 1.0
    plot = width - label_width - 160  # room for the value written after the longest bar
    height = len(items) * (bar + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'class="chart" role="img" font-family="{FONT_FAMILY}">']
    for i, (label, value, shown) in enumerate(items):
        y = gap + i * (bar + gap)
        w = max(1.0, plot * float(value) / top) if float(value) > 0 else 0
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<text x="{label_width - 6}" y="{y + bar - 4}" text-anchor="end" font-size="11">{escape(fit(str(label), label_width - 10))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>')
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + bar - 4}" font-size="11">{escape(shown)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
