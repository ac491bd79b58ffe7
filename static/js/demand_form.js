/* The demand form: the budget total as the four parts are typed (read as the server reads them:
 * 50万, 1,000,000, ¥1,200,000, full-width digits, through money.js), and the filter of the data
 * resource table. */
(function () {
  "use strict";

  function total(parts, out) {
    var cents = 0n;
    var readable = true;
    parts.forEach(function (el) {
      if (!el.value.trim()) { return; }
      var c = window.pdmMoney ? window.pdmMoney.parseCents(el.value) : null;
      if (c === null) { readable = false; } else { cents += c; }
    });
    out.textContent = readable ? "¥" + window.pdmMoney.formatCents(cents) : (out.dataset.unreadable || "—");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var parts = document.querySelectorAll(".budget-part");
    var out = document.getElementById("budget-total");
    if (out && parts.length) {
      parts.forEach(function (el) { el.addEventListener("input", function () { total(parts, out); }); });
      total(parts, out);
    }
    var filter = document.getElementById("dr-filter");
    if (filter) {
      filter.addEventListener("input", function () {
        var q = filter.value.trim().toLowerCase();
        document.querySelectorAll("#dr-table tbody tr").forEach(function (tr) {
          tr.hidden = !(!q || tr.dataset.text.toLowerCase().indexOf(q) >= 0);
        });
      });
    }
  });
}());
