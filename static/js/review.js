// Review by keyboard without ever typing a shortcut into the comment.
//   a: approve at once (the next asset shows; u or the toast's Undo takes it back for a few seconds);
//   r / c: reject / request changes; when the rule wants a comment and there is none yet, the
//          comment box opens for it and Ctrl+Enter (Cmd+Enter) sends it with that decision;
//   s: skip. Inside the comment box letters are just letters; Esc leaves the box.
// Which decisions need a comment is the server's rule, marked on each button (data-comment-required);
// the keys and the decisions' names come from the page too (json_script "decision-keys").
(function () {
  // After a decision the queue moves on at once; its toast offers Undo (a button, or u) for a few
  // seconds, then goes. The server allows a little longer, so a late click still lands.
  const toast = document.getElementById("undo-toast");
  if (toast) {
    const gone = setTimeout(() => toast.remove(), (Number(toast.dataset.seconds) || 8) * 1000);
    document.addEventListener("keydown", (event) => {
      if (event.key !== "u" || !toast.isConnected || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target.closest("input, textarea, select, [contenteditable]")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      clearTimeout(gone);
      toast.querySelector("form").requestSubmit();
    });
  }

  const form = document.getElementById("decision-form");
  if (!form) return;
  const decisions = JSON.parse(document.getElementById("decision-keys").textContent);
  const keys = Object.fromEntries(decisions.map((d) => [d.key, d.decision]));
  const names = Object.fromEntries(decisions.map((d) => [d.decision, d.label]));
  const comment = form.querySelector("textarea[name=comment]");
  const hint = document.getElementById("decision-hint");
  let pending = null;

  const button = (decision) => form.querySelector(`button[name=decision][value=${decision}]`);
  function say(text) { hint.replaceChildren(text); }

  function submit(decision) { form.requestSubmit(button(decision)); }

  function decide(decision) {
    if (!button(decision)) return;
    if ("commentRequired" in button(decision).dataset && !comment.value.trim()) {
      pending = decision;
      comment.focus();
      say(`${names[decision]}: say why in the comment, then press Ctrl+Enter (⌘+Enter) to send.`);
      return;
    }
    submit(decision);
  }

  document.addEventListener("keydown", (event) => {
    if (event.target === comment) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (pending) submit(pending);
        else say("Press Esc, then r to reject or c to request changes with this comment (or use the buttons).");
      } else if (event.key === "Escape") {
        comment.blur();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === "s") { document.getElementById("skip")?.click(); return; }
    const decision = keys[event.key];
    if (!decision) return;
    event.preventDefault();
    decide(decision);
  });
})();
