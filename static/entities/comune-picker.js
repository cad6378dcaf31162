// "Comuni in cui opera": a comune ticked among the search results moves to the chosen list, so a
// new search does not drop it.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-results] input[type=checkbox]")) return;
    var picker = box.closest("[data-comune-checkboxes]");
    var chosen = picker && picker.querySelector("[data-chosen]");
    var cell = box.closest(".col-sm-6");
    if (chosen && cell && box.checked) {
      chosen.appendChild(cell);
    }
  });
})();
