// A live character count under every text box that has a limit (data-max-chars), so a long prompt
// is never cut silently: the box keeps all the text, the count turns red past the limit and the
// server refuses it with the same numbers.
(function () {
  const format = (n) => n.toLocaleString("en");
  function attach(box) {
    if (box.dataset.counted) return;
    box.dataset.counted = "1";
    const limit = Number(box.dataset.maxChars);
    const line = document.createElement("p");
    line.className = "counter";
    line.id = box.id + "_count";
    line.setAttribute("aria-live", "polite");
    box.after(line);
    box.setAttribute("aria-describedby", [box.getAttribute("aria-describedby"), line.id].filter(Boolean).join(" "));
    const update = () => {
      const used = box.value.length, over = used - limit;
      line.textContent = `${format(used)} / ${format(limit)} characters` + (over > 0 ? `: ${format(over)} too many, shorten it before sending.` : "");
      line.classList.toggle("over", over > 0);
    };
    box.addEventListener("input", update);
    update();
  }
  const scan = (root) => root.querySelectorAll("textarea[data-max-chars]").forEach(attach);
  document.addEventListener("DOMContentLoaded", () => scan(document));
  document.addEventListener("htmx:load", (event) => scan(event.target));
})();
