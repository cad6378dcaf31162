// Generic behaviours driven by data attributes; no page-specific code here.
// The Content-Security-Policy forbids inline scripts and on* attributes: use these instead.
//
//   <form data-confirm="Sei sicuro?">           asks before submitting (also on a submit button)
//   <select data-autosubmit>                     submits its form on change (filters, sorting)
//   <form data-autosubmit>                       any change inside submits the form
//   <button type="button" data-print>            prints the page
//   <button type="submit" data-hide-with-js>     hidden when JS runs (e.g. "Filtra" next to autosubmit)
//   .portal-error-summary                        receives the focus when the page loads
(function () {
  "use strict";

  // (a) Confirmation before submitting. The submit button's own message wins over the form's.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // (b) Submit on change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    var form = el && el.form;
    if (!form) {
      return;
    }
    if (el.hasAttribute("data-autosubmit") || form.hasAttribute("data-autosubmit")) {
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();  // fires "submit", so data-confirm and htmx still apply
      } else {
        form.submit();
      }
    }
  });

  // (c) Print buttons.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  function hideWithJs(root) {
    if (root.matches && root.matches("[data-hide-with-js]")) {
      root.hidden = true;
    }
    var nodes = root.querySelectorAll("[data-hide-with-js]");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].hidden = true;
    }
  }

  // A form returned with errors: move the focus to its error summary (components/forms/form.html),
  // so that keyboard and screen-reader users start from the list of problems.
  function focusErrorSummary() {
    var summary = document.querySelector(".portal-error-summary");
    if (summary) {
      summary.focus();
    }
  }

  function onReady() {
    hideWithJs(document);
    focusErrorSummary();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onReady);
  } else {
    onReady();
  }
  // Content swapped in by htmx gets the same treatment.
  document.addEventListener("htmx:load", function (event) { hideWithJs(event.target); });
})();
