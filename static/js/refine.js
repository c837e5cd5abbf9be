// The Refine panel: Ctrl+Enter (Cmd+Enter on a Mac) sends the instruction, and after the panel is
// swapped in (a sent turn, or the model's answer arriving) the instruction box has the focus again.
// Sending itself is the panel form's htmx post; this script only adds the keyboard.
(function () {
  let typing = false;

  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest(".refine-form")) return;
    event.preventDefault();
    if (box.value.trim()) box.form.requestSubmit();
  });

  document.addEventListener("focusin", (event) => {
    typing = event.target.id === "refine-prompt";
  });

  document.addEventListener("htmx:afterSwap", () => {
    const box = document.getElementById("refine-prompt");
    if (typing && box && !box.disabled) box.focus();
  });
})();
