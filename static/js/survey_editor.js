// The survey template editor: "Add a question" copies the formset's empty card, the move buttons reorder the
// cards in place, and the cards are numbered as the server will number them. Without this script every button
// posts the editor and the server does the same. (A static file: the pages allow no inline script.)
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey-editor]");
  if (!form) return;
  var list = form.querySelector("[data-q-cards]");
  var empty = document.getElementById("q-empty-card");
  var total = form.querySelector("input[name='q-TOTAL_FORMS']");
  var full = form.querySelector("[data-q-full]");
  var max = +list.getAttribute("data-max");
  var TYPED = ["code", "text", "text_en", "factor", "choices"];

  function cards() { return Array.prototype.slice.call(list.querySelectorAll("[data-q-card]")); }
  function input(card, name) { return form.elements[card.getAttribute("data-prefix") + "-" + name]; }

  // The order field follows the cards on the page; deleted and still blank cards get no number.
  function renumber() {
    var n = 0;
    cards().forEach(function (card, i) {
      input(card, "ORDER").value = i + 1;
      var blank = TYPED.every(function (name) { var el = input(card, name); return !el || !el.value.trim(); });
      var deleted = input(card, "DELETE").checked;
      card.querySelector("[data-q-number]").textContent = deleted || blank ? "–" : String(++n);
    });
    full.hidden = +total.value < max;
  }

  function add() {
    var index = +total.value;
    if (index >= max) { full.hidden = false; return; }
    list.insertAdjacentHTML("beforeend", empty.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = index + 1;
    renumber();
    var card = list.lastElementChild;
    card.scrollIntoView({ block: "center" });
    input(card, "code").focus();
  }

  function move(button) {
    var card = button.closest("[data-q-card]");
    if (button.getAttribute("data-move") === "up") {
      if (card.previousElementSibling) list.insertBefore(card, card.previousElementSibling);
    } else if (card.nextElementSibling) {
      list.insertBefore(card.nextElementSibling, card);
    }
    renumber();
    button.focus();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-question], [data-move]");
    if (!button) return;
    event.preventDefault();
    if (button.hasAttribute("data-add-question")) add(); else move(button);
  });
  form.addEventListener("input", renumber);
  form.addEventListener("change", renumber);
  renumber();
})();
