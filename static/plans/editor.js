/* A small rich-text editor for <textarea data-richtext>: a toolbar over a contenteditable area
   mirrored into the textarea, which is what the form submits (the server sanitises the HTML).
   Without JavaScript the textarea works as plain HTML input. No inline scripts (CSP). */
(function () {
  "use strict";
  var BUTTONS = [
    { cmd: "bold", text: "Grassetto", cls: "fw-bold" },
    { cmd: "italic", text: "Corsivo", cls: "fst-italic" },
    { cmd: "formatBlock", arg: "h3", text: "Titolo" },
    { cmd: "formatBlock", arg: "p", text: "Paragrafo" },
    { cmd: "insertUnorderedList", text: "Elenco puntato" },
    { cmd: "insertOrderedList", text: "Elenco numerato" },
    { cmd: "createLink", text: "Collegamento" },
    { cmd: "unlink", text: "Togli collegamento" }
  ];

  function setup(textarea) {
    if (textarea.dataset.editorReady) return;
    textarea.dataset.editorReady = "1";
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var wrapper = document.createElement("div");
    wrapper.className = "plans-editor border rounded mb-1";
    var toolbar = document.createElement("div");
    toolbar.className = "btn-toolbar flex-wrap gap-1 p-1 border-bottom";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formattazione del testo");
    var area = document.createElement("div");
    area.className = "p-3";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("aria-label", label ? label.textContent.replace("*", "").trim() : "Testo");
    if (textarea.getAttribute("aria-describedby")) area.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    if (textarea.getAttribute("aria-invalid")) area.setAttribute("aria-invalid", "true");
    area.style.minHeight = "14rem";
    area.innerHTML = textarea.value;

    function sync() { textarea.value = area.innerHTML; }

    BUTTONS.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "btn btn-xs btn-outline-primary py-1 px-2" + (b.cls ? " " + b.cls : "");
      btn.textContent = b.text;
      btn.addEventListener("mousedown", function (e) { e.preventDefault(); });
      btn.addEventListener("click", function () {
        area.focus();
        var arg = b.arg || null;
        if (b.cmd === "createLink") {
          arg = window.prompt("Indirizzo del collegamento (https://...)", "https://");
          if (!arg || !/^(https?:|mailto:)/i.test(arg)) return;
        }
        document.execCommand(b.cmd, false, arg);
        sync();
      });
      toolbar.appendChild(btn);
    });
    area.addEventListener("input", sync);
    area.addEventListener("blur", sync);
    if (label) label.addEventListener("click", function () { area.focus(); });
    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    textarea.parentNode.insertBefore(wrapper, textarea);
    textarea.hidden = true;
    if (textarea.form) textarea.form.addEventListener("submit", sync);
  }

  function init() { document.querySelectorAll("textarea[data-richtext]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
