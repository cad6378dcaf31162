// <form data-busy="Messaggio…">: while a long request runs (checking or importing a large file)
// the submit button is disabled and the message is announced, so nobody clicks twice.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-busy");
    if (!message || event.defaultPrevented) return;
    var status = form.querySelector("[data-busy-status]");
    if (status) {
      status.textContent = message;
      status.hidden = false;
    }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
})();
