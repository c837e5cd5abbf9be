// Guest review page: a click on the image pins the next comment there (0–1 of the image's size);
// without script, comments are simply not pinned. The owners' page selects the new link on focus.
document.addEventListener("DOMContentLoaded", () => {
  const area = document.querySelector("[data-pin-area][data-pinnable]");
  const x = document.querySelector("input[name=x]");
  const y = document.querySelector("input[name=y]");
  const marker = document.querySelector("[data-new-pin]");
  const status = document.querySelector("[data-pin-status]");
  if (area && x && y) {
    area.addEventListener("click", (event) => {
      const box = area.querySelector("img").getBoundingClientRect();
      const px = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      const py = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      x.value = px.toFixed(4);
      y.value = py.toFixed(4);
      marker.hidden = false;
      marker.style.left = `${px * 100}%`;
      marker.style.top = `${py * 100}%`;
      if (status) status.textContent = "Pinned to the spot you clicked";
      document.querySelector("textarea[name=body]")?.focus();
    });
  }
  document.querySelectorAll("[data-select-on-focus]").forEach((input) => input.addEventListener("focus", () => input.select()));
});
