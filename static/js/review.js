// Keyboard shortcuts for the review queue; ignored while typing in the comment.
(function () {
  const keys = { a: "approve", r: "reject", c: "request_changes" };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select")) return;
    if (event.key === "s") { document.getElementById("skip")?.click(); return; }
    const decision = keys[event.key];
    if (!decision) return;
    const button = document.querySelector(`#decision-form button[value=${decision}]`);
    if (!button) return;
    event.preventDefault();
    const comment = document.querySelector("#decision-form textarea");
    // Which decisions need a comment is the server's rule, marked on the button.
    if ("commentRequired" in button.dataset && comment && !comment.value.trim()) { comment.focus(); return; }
    button.click();
  });
})();
