/* Amount inputs (core.forms.MoneyInput, found by data-money): while the user types, the parsed
 * amount beside the field ("= 500,000.00 元", "= 50.00 万元") or a hint when it cannot be read;
 * on leaving the field, the amount with thousands separators. The reading mirrors
 * core/money.py parse_amount; the server decides. Wording comes from the input's data-money-*
 * attributes, rendered in the page's language. */
(function () {
  "use strict";
  var UNITS = { "": 1n, "元": 1n, "万": 10000n, "万元": 10000n, "亿": 100000000n, "亿元": 100000000n };
  var MAX_CENTS = 1000000000000n; // 10,000,000,000.00 CNY
  var AMOUNT = /^(¥)?\s*(\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\.\d+)\s*(万元|亿元|万|亿|元)?$/;

  function normalize(text) {
    return text.replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/，/g, ",").replace(/．/g, ".").replace(/￥/g, "¥").replace(/[\u3000\u00a0\u202f]/g, " ").trim();
  }

  /* The amount in fen (BigInt), or null when the text is not an acceptable amount. */
  function parseCents(text) {
    var t = normalize(text);
    if (!t || t.length > 60) { return null; }
    var m = AMOUNT.exec(t);
    if (!m) { return null; }
    var parts = m[2].replace(/,/g, "").split(".");
    var frac = parts[1] || "";
    var scaled = BigInt((parts[0] || "0") + frac) * UNITS[m[3] || ""] * 100n;
    var divisor = 10n ** BigInt(frac.length);
    if (scaled % divisor !== 0n) { return null; } // more than two decimals
    var cents = scaled / divisor;
    return cents > MAX_CENTS ? null : cents;
  }

  function group(n) { return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  function formatCents(cents) {
    var fen = (cents % 100n).toString().padStart(2, "0");
    return group(cents / 100n) + "." + fen;
  }

  function hintFor(input) {
    var hint = input.parentNode.querySelector("[data-money-hint]");
    if (!hint) {
      hint = document.createElement("div");
      hint.className = "form-text";
      hint.setAttribute("data-money-hint", "");
      hint.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", hint);
    }
    return hint;
  }

  function show(input) {
    var hint = hintFor(input);
    var text = input.value;
    if (!text.trim()) { hint.textContent = ""; hint.classList.remove("text-danger"); return; }
    var cents = parseCents(text);
    if (cents === null) {
      hint.textContent = input.dataset.moneyInvalid || "?";
      hint.classList.add("text-danger");
      return;
    }
    hint.classList.remove("text-danger");
    var yuan = (input.dataset.moneyYuan || "= %(amount)s").replace("%(amount)s", formatCents(cents));
    if (cents >= 1000000n) { // from 1万: the amount in 万元 too, as budget tables give it
      var wan = formatCents((cents + 5000n) / 10000n);
      hint.textContent = (input.dataset.moneyWan || "= %(amount)s").replace("%(amount)s", wan) + "  " + yuan;
    } else {
      hint.textContent = yuan;
    }
  }

  function tidy(input) {
    var cents = parseCents(input.value);
    if (cents !== null) { input.value = formatCents(cents); }
  }

  function bind(root) {
    (root || document).querySelectorAll("input[data-money]").forEach(function (input) {
      if (input.dataset.moneyBound) { return; }
      input.dataset.moneyBound = "1";
      input.addEventListener("input", function () { show(input); });
      // A box that comes filled with a proposal (the approved budget "as recommended"): the first
      // click selects it, so that what is typed replaces the figure instead of joining it.
      if (input.hasAttribute("data-select-on-focus")) {
        input.addEventListener("focus", function () { input.select(); });
        input.addEventListener("mouseup", function (e) { if (input.dataset.moneyFresh !== "0") { e.preventDefault(); input.dataset.moneyFresh = "0"; } });
      }
      input.addEventListener("blur", function () { tidy(input); show(input); });
      if (input.value) { show(input); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:load", function (event) { bind(event.target); });
  window.pdmMoney = { parseCents: parseCents, formatCents: formatCents };
}());
