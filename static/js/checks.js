// The asset page's Checks panel: colour chips from data-colour, and the text and logo boxes the
// checks found drawn over the image. Boxes are in pixels of the stored image (data-width ×
// data-height on the panel) and are scaled to the size the image is shown at, letterboxing
// included. Pointing at the image shows them all; pointing at (or focusing) a check shows its own;
// the "Show boxes" button keeps them on (touch and keyboard).
(function () {
  const panel = document.querySelector("[data-checks-panel]");
  if (!panel) return;
  panel.querySelectorAll("[data-colour]").forEach((chip) => { chip.style.backgroundColor = chip.dataset.colour; });
  const data = document.getElementById("check-boxes");
  const boxes = data ? JSON.parse(data.textContent) : [];
  const width = Number(panel.dataset.width), height = Number(panel.dataset.height);
  const image = document.querySelector("[data-checks-image]");
  if (!boxes.length || !image || !width || !height) return;

  const holder = image.parentElement;
  holder.classList.add("check-overlay-holder");
  const overlay = document.createElement("div");
  overlay.className = "check-overlay";
  overlay.setAttribute("aria-hidden", "true");
  holder.append(overlay);
  const drawn = boxes.map((b) => {
    const el = document.createElement("div");
    el.className = `check-box ${b.kind} outcome-${b.outcome}`;
    el.dataset.checks = b.checks.join(" ");
    const label = document.createElement("span");
    label.textContent = b.kind === "logo" ? "logo" : b.checks.join(", ");
    el.append(label);
    overlay.append(el);
    return { el, box: b.box };
  });

  function place() {
    // The img keeps its box; object-fit: contain letterboxes the picture inside it.
    const boxWidth = image.clientWidth, boxHeight = image.clientHeight;
    if (!boxWidth || !boxHeight) return;
    const scale = Math.min(boxWidth / width, boxHeight / height);
    const shownWidth = width * scale, shownHeight = height * scale;
    overlay.style.left = `${image.offsetLeft + (boxWidth - shownWidth) / 2}px`;
    overlay.style.top = `${image.offsetTop + (boxHeight - shownHeight) / 2}px`;
    overlay.style.width = `${shownWidth}px`;
    overlay.style.height = `${shownHeight}px`;
    for (const { el, box } of drawn) {
      el.style.left = `${box[0] * scale}px`;
      el.style.top = `${box[1] * scale}px`;
      el.style.width = `${Math.max(box[2] * scale, 2)}px`;
      el.style.height = `${Math.max(box[3] * scale, 2)}px`;
    }
  }

  const toggle = panel.querySelector("[data-boxes-toggle]");
  let pinned = false;
  function show(check) {
    place();
    overlay.classList.add("visible");
    for (const { el } of drawn) el.hidden = Boolean(check) && !el.dataset.checks.split(" ").includes(check);
  }
  function hide() {
    if (pinned) return show(null);
    overlay.classList.remove("visible");
  }
  holder.addEventListener("mouseenter", () => show(null));
  holder.addEventListener("mouseleave", hide);
  panel.querySelectorAll(".check-row[tabindex]").forEach((row) => {
    row.addEventListener("mouseenter", () => show(row.dataset.check));
    row.addEventListener("mouseleave", hide);
    row.addEventListener("focus", () => show(row.dataset.check));
    row.addEventListener("blur", hide);
  });
  if (toggle) toggle.addEventListener("click", () => {
    pinned = !pinned;
    toggle.setAttribute("aria-pressed", String(pinned));
    toggle.textContent = pinned ? "Hide boxes" : "Show boxes";
    pinned ? show(null) : hide();
  });
  window.addEventListener("resize", () => { if (overlay.classList.contains("visible")) place(); });
  image.addEventListener("load", place);
})();
