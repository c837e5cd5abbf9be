// Owner pages (members, API keys, webhooks, settings): copy a shown-once secret, confirm a
// destructive form, draw the budget meter from its data attributes (no inline styles under the CSP).
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.dataset.copy);
    var said = document.querySelector('[data-copied-for="' + button.dataset.copy + '"]');
    var done = function (text) { if (said) said.textContent = text; };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { done("Copied."); button.textContent = "Copied"; },
        function () { done("Could not copy: the text is selected, press Ctrl+C (⌘C)."); }
      );
    } else {
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      done(copied ? "Copied." : "Could not copy: the text is selected, press Ctrl+C (⌘C).");
      if (copied) button.textContent = "Copied";
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".meter .bar[data-meter]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.meter))) + "%";
    });
    document.querySelectorAll(".meter .mark[data-mark]").forEach(function (mark) {
      mark.style.left = Math.max(0, Math.min(100, Number(mark.dataset.mark))) + "%";
    });
  });
})();
