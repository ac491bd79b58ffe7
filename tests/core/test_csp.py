"""The Content Security Policy is sent on every answer, and the templates leave it nothing to refuse."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every template a browser receives; the PDF templates (reports/pdf/) are read by WeasyPrint only,
# never served as a page, and keep their print styles inline.
TEMPLATES = sorted(p for p in (ROOT / "templates").rglob("*.html") if "pdf" not in p.relative_to(ROOT / "templates").parts[:2])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/api/v1/me/"])
def test_every_answer_carries_the_policy(client, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_only_the_api_docs_relax_styles_and_never_scripts(admin_client):
    policy = admin_client.get("/api/docs/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_has_inline_script_style_or_handler(template):
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script> (use a static file)"
    assert "<style" not in text, "inline <style> (use static/css/app.css)"
    assert not re.search(r"\sstyle=\"", text), "style attribute (use a class in static/css/app.css)"
    assert not re.search(r"\son[a-z]+=\"", text), "inline event handler (use data-confirm or a static script)"
