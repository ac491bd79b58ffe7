/* A live character counter for every input or textarea with data-maxlength (core.forms.TextLengthMixin):
 * "12 / 200", red with the input's data-maxlength-over wording once over. The browser's maxlength
 * is not used, so that pasted text is never cut silently: the server refuses it with a message. */
(function () {
  "use strict";

  function count(value) { return Array.from(value.replace(/\r\n/g, "\n")).length; }

  function counterFor(field) {
    var counter = field.parentNode.querySelector("[data-maxlength-counter]");
    if (!counter) {
      counter = document.createElement("div");
      counter.className = "form-text text-end";
      counter.setAttribute("data-maxlength-counter", "");
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
    }
    return counter;
  }

  function update(field) {
    var limit = parseInt(field.dataset.maxlength, 10);
    var n = count(field.value);
    var counter = counterFor(field);
    var over = n - limit;
    counter.textContent = n + " / " + limit + (over > 0 && field.dataset.maxlengthOver
      ? " · " + field.dataset.maxlengthOver.replace("%(count)s", over) : "");
    counter.classList.toggle("text-danger", over > 0);
    field.classList.toggle("is-invalid", over > 0);
  }

  function bind(root) {
    (root || document).querySelectorAll("input[data-maxlength], textarea[data-maxlength]").forEach(function (field) {
      if (field.dataset.maxlengthBound) { return; }
      field.dataset.maxlengthBound = "1";
      field.addEventListener("input", function () { update(field); });
      update(field);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:load", function (event) { bind(event.target); });

  /* A form marked data-length-guard is not sent while one of its boxes holds more than its limit:
   * the text stays where it was typed, the box gets the focus and its counter says how much to cut
   * (without script the server refuses it and the page gives the text back). */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-length-guard]")) { return; }
    var fields = form.querySelectorAll("input[data-maxlength], textarea[data-maxlength]");
    for (var i = 0; i < fields.length; i += 1) {
      if (count(fields[i].value) > parseInt(fields[i].dataset.maxlength, 10)) {
        event.preventDefault();
        update(fields[i]);
        fields[i].focus();
        return;
      }
    }
  }, true);
}());

/* A button or link with data-confirm asks before it acts (the text names what will happen). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
}());

/* A header checkbox with data-check-all="name" ticks or clears every checkbox named so; a select
 * with data-autosubmit sends its form when changed (its form keeps a submit button without script). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[type=checkbox][data-check-all]")) {
      document.querySelectorAll("input[type=checkbox][name='" + el.dataset.checkAll + "']").forEach(function (box) {
        box.checked = el.checked;
      });
    } else if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });
}());
