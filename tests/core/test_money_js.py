"""static/js/money.js reads amounts as core.money.parse_amount does (run with Node when it is installed)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from core.money import AmountError, parse_amount

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "money.js"
CASES = ["50万", "1.5亿", "¥1,200,000", "￥300,000.00", "1,000,000", "１２０００", "50 万元", "3000元", " 7 ", "0", ".5",
         "五十万", "1.234", "-5", "abc", "1,00,000", "10000000001", "10000000000", "1e3", "50万abc", "1.2345678万", "0.005万", ""]
HARNESS = """
const window = {}; const document = {addEventListener() {}, querySelectorAll() { return []; }};
%s
const out = {};
for (const t of %s) { const c = window.pdmMoney.parseCents(t); out[t] = c === null ? null : window.pdmMoney.formatCents(c); }
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed: the browser-side reading is not checked")
def test_the_browser_reads_amounts_as_the_server_does():
    program = HARNESS % (SCRIPT.read_text(encoding="utf-8"), json.dumps(CASES, ensure_ascii=False))
    result = subprocess.run(["node", "-e", program], capture_output=True, text=True, timeout=60, check=True)
    browser = json.loads(result.stdout)
    expected = {}
    for text in CASES:
        try:
            expected[text] = f"{parse_amount(text):,.2f}"
        except AmountError:
            expected[text] = None
    assert browser == expected
