"""Helpers for browser tests: log in, take screenshots, measure the layout.

Used from `tests/e2e/` (fixtures in its conftest.py). Playwright drives Debian's `chromium`;
Playwright's own browser download cannot work on an offline machine.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# What each interface language sends as Accept-Language (a browser set to that language).
ACCEPT_LANGUAGE = {"zh-hans": "zh-CN,zh;q=0.9", "en": "en-US,en;q=0.9"}
CHROMIUM_MISSING = "Chromium not found: browser tests skipped. Install it with: sudo apt-get install -y chromium"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def chromium_path() -> str | None:
    """Debian's Chromium (or a Chrome on PATH); None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def set_language(page, lang: str) -> None:
    """Make every later request of `page` say it prefers `lang` (as that browser would)."""
    page.set_extra_http_headers({"Accept-Language": ACCEPT_LANGUAGE[lang]})


def login(page, username: str, lang: str = "zh-hans", *, password: str | None = None) -> None:
    """Log in through the login form from a browser that prefers `lang`; waits for the home page."""
    from tests.conftest import DEMO_PASSWORD

    set_language(page, lang)
    page.goto("/accounts/login/")  # relative to the context's base_url
    page.fill("#id_username", username)
    page.fill("#id_password", password or DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if "/accounts/login/" in page.url:
        raise AssertionError(f"login as {username} failed: {page.inner_text('main')[:200]}")


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    """Save what the page shows now as tests/e2e/screenshots/<name>.png (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".png")
    page.screenshot(path=str(path), full_page=full_page)
    return path


# One evaluation returns every layout fact the tests check, so that a width costs one round trip.
_LAYOUT_JS = """() => {
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    // Rows of text: boxes whose tops differ by less than 8 px (a badge, an icon) share a row.
    const tops = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map((r) => r.top).sort((a, b) => a - b);
    let rows = 0, last = -1e9;
    for (const t of tops) { if (t - last >= 8) { rows += 1; } last = t; }
    return rows;
  };
  const visible = (el) => el.offsetParent !== null && el.getClientRects().length > 0;
  const nav = document.querySelector('nav.navbar');
  const brand = nav.querySelector('.navbar-brand');
  const items = [...nav.querySelectorAll('.navbar-brand, .nav-link, .btn')].filter(visible);
  const wrapped = items.filter((el) => lines(el) > 1).map((el) => el.textContent.trim());
  const centers = items.map((el) => el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2);
  const lang = [...nav.querySelectorAll('[data-testid^=lang-]')];
  const overflow = document.documentElement.scrollWidth > window.innerWidth;
  // Only when the page overflows: which elements stick out (costly on long pages).
  const wide = !overflow ? [] : [...document.querySelectorAll('body *')].filter((el) => visible(el) && el.getBoundingClientRect().right > window.innerWidth + 1
      && !el.closest('.table-responsive, .overflow-auto, .dropdown-menu, .visually-hidden'))
    .slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    navHeight: nav.getBoundingClientRect().height,
    brandHeight: brand ? brand.getBoundingClientRect().height : 0,
    // How far apart the vertical centres of the navigation's items are: 0 on one row.
    navSpread: centers.length ? Math.max(...centers) - Math.min(...centers) : 0,
    wrapped: wrapped,
    langLines: lang.filter(visible).map((el) => [el.textContent.trim(), lines(el)]),
    wide: wide,
  };
}"""


def layout(page) -> dict:
    """Facts about the current layout: overflow, the navigation's rows, wrapped labels."""
    return page.evaluate(_LAYOUT_JS)
