// Progress on the public survey page: how many questions are answered, shown as text and a bar.
(function () {
  var form = document.getElementById("survey-form");
  if (!form) return;
  var text = document.getElementById("progress-text"), bar = document.getElementById("progress-bar");
  var total = +text.getAttribute("data-total"), label = text.textContent;
  function update() {
    var done = 0;
    form.querySelectorAll("[data-question]").forEach(function (q) {
      var checked = q.querySelector("input:checked"), area = q.querySelector("textarea");
      if (checked || (area && area.value.trim())) done += 1;
    });
    text.textContent = done + " / " + total + " · " + label;
    bar.style.width = Math.round(100 * done / total) + "%";
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
