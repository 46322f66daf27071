// The GOV.UK error summary pattern: when a page comes back with errors, the summary at
// its top takes the focus (a screen reader announces it, the eye lands on it), and each
// of its links moves the focus to its field with the field's label in view.
(function () {
  "use strict";

  function labelFor(field) {
    if (field.id) {
      var label = document.querySelector('label[for="' + field.id + '"]');
      if (label) return label;
    }
    var fieldset = field.closest("fieldset");
    return fieldset ? fieldset.querySelector("legend") : null;
  }

  function fieldFor(id) {
    var field = document.getElementById(id);
    // A group of radios or checkboxes is reached at its first choice: the group's
    // wrapper carries the id, or the first input is id_<name>_0.
    if (field && !/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName)) {
      field = field.querySelector("input, select, textarea");
    }
    return field || document.getElementById(id + "_0");
  }

  function focusField(event) {
    var href = event.currentTarget.getAttribute("href") || "";
    if (href.charAt(0) !== "#") return;
    var field = fieldFor(href.slice(1));
    if (!field) return;
    event.preventDefault();
    var label = labelFor(field);
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  }

  function init() {
    var summary = document.querySelector(".error-summary");
    if (!summary) return;
    var links = summary.querySelectorAll("a[href^='#']");
    for (var i = 0; i < links.length; i++) links[i].addEventListener("click", focusField);
    // Focusing scrolls the summary into view only when it is not there already.
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
