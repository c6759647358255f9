// The page behaviours of the product, bound by data attributes (no inline script: the pages run under a
// Content-Security-Policy that allows scripts from our own static files only).
(function () {
  "use strict";
  function on(type, selector, handler) {
    document.addEventListener(type, function (event) {
      var target = event.target.closest ? event.target.closest(selector) : null;
      if (target) handler(event, target);
    });
  }
  // The phone menu: a button folds the navigation in and out.
  on("click", "[data-menu-toggle]", function (event, button) {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open);
    document.getElementById(button.getAttribute("aria-controls")).classList.toggle("open", open);
  });
  // "Cancel" goes back where the user came from (the link itself leads home when there is no history).
  on("click", "a[data-back]", function (event) {
    if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
  });
  // A select that applies itself (the language, a period).
  on("change", "select[data-autosubmit]", function (event, select) { select.form.submit(); });
  // A form that asks first (deleting something that cannot be undone).
  on("submit", "form[data-confirm]", function (event, form) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  // A filter form whose dealer choice clears the person chosen at the previous dealer.
  on("change", "form[data-reset-on-dealer]", function (event, form) {
    if (event.target.name === "dealer" && form.elements.assigned_to) form.elements.assigned_to.value = "";
    form.submit();
  });
  // Forms that record how long the call lasted: from the page's opening to the submit.
  var opened = Date.now();
  on("submit", "form[data-duration]", function (event, form) {
    var field = form.querySelector("[name=duration_s]");
    if (field) field.value = Math.round((Date.now() - opened) / 1000);
  });
  // Keys 1–6 pick an outcome on the call screen (not while typing in a text field).
  document.addEventListener("keydown", function (event) {
    var form = document.querySelector("form[data-shortcuts]");
    if (!form || event.altKey || event.ctrlKey || event.metaKey) return;
    var t = event.target;
    if (t.tagName === "TEXTAREA" || t.tagName === "SELECT" || (t.tagName === "INPUT" && !/radio|checkbox/.test(t.type))) return;
    var radio = form.querySelector('input[data-key="' + event.key + '"]');
    if (radio) { radio.checked = true; radio.focus(); event.preventDefault(); }
  });
  // A file input that refuses an oversized file before it is sent (the server would answer a bare 413).
  on("change", "input[type=file][data-max-bytes]", function (event, input) {
    var file = input.files && input.files[0];
    input.setCustomValidity(file && file.size > Number(input.dataset.maxBytes) ? (input.dataset.tooLarge || "") : "");
    input.reportValidity();
  });
  // The visit form opens "register the vehicle" when the look-up found nothing.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    var register = document.getElementById("register");
    if (target && target.id === "lookup" && register) register.open = !!target.querySelector("[data-unknown]");
  });
})();
