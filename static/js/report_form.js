/* The report form (reports/forms.py): show only the fields the chosen kind takes (each field's
 * wrapper names its kinds in data-kinds), and a filter box above the long organization select
 * (data-filterable holds its placeholder). No inline script: the page's CSP forbids it. */
(function () {
  "use strict";

  function toggle(form) {
    var kind = form.querySelector("[name=kind]").value;
    form.querySelectorAll("[data-kinds]").forEach(function (wrap) {
      var shown = wrap.dataset.kinds.split(" ").indexOf(kind) !== -1;
      wrap.hidden = !shown;
      wrap.querySelectorAll("input, select").forEach(function (el) { el.disabled = !shown; });
    });
  }

  function filterable(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.dataset.filterable;
    box.setAttribute("aria-label", select.dataset.filterable);
    box.setAttribute("data-testid", "org-filter");
    select.insertAdjacentElement("beforebegin", box);
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      select.querySelectorAll("optgroup").forEach(function (group) {
        var any = false;
        group.querySelectorAll("option").forEach(function (option) {
          var match = !needle || option.textContent.toLowerCase().indexOf(needle) !== -1 ||
            group.label.toLowerCase().indexOf(needle) !== -1;
          option.hidden = !match;
          any = any || match;
        });
        group.hidden = !any;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-testid=report-form]");
    if (!form) { return; }
    var kind = form.querySelector("[name=kind]");
    kind.addEventListener("change", function () { toggle(form); });
    toggle(form);
    form.querySelectorAll("select[data-filterable]").forEach(filterable);
  });
})();
