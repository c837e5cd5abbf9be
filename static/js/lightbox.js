// Look at images properly, on every page: a link marked data-lightbox="group" opens its image
// full-window instead of leaving the app. Arrow keys (or the buttons) go through the group in page
// order, + / - / 0 or a click zoom, Esc closes (the dialog's own behaviour). Without scripts the
// link still opens the file. Fit shows the link's web-size rendition (data-display) when it has one;
// zooming in loads the full file, so 1:1 is the real pixels. Also drives the compare view.
// Events: "lightbox:show" {dialog, view, img, link} on each image shown, "lightbox:close" {dialog}.
(function () {
  let dialog, view, img, caption, counter, original, full = "", items = [], index = 0, zoom = 1;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "lightbox";
    dialog.setAttribute("aria-label", "Image viewer");
    dialog.innerHTML =
      '<div class="lb-bar"><span class="lb-caption"></span><span class="lb-counter" aria-live="polite"></span>' +
      '<button type="button" data-lb="prev" aria-label="Previous image">←</button>' +
      '<button type="button" data-lb="next" aria-label="Next image">→</button>' +
      '<button type="button" data-lb="out" aria-label="Zoom out">−</button>' +
      '<button type="button" data-lb="fit">Fit</button>' +
      '<button type="button" data-lb="in" aria-label="Zoom in">+</button>' +
      '<a class="button" data-lb="original" target="_blank" rel="noopener">Full size file</a>' +
      '<button type="button" data-lb="close">Close</button></div>' +
      '<div class="lb-view" tabindex="0" role="region" aria-label="Image, scroll to pan when zoomed"><img alt=""></div>';
    document.body.append(dialog);
    view = dialog.querySelector(".lb-view");
    img = view.querySelector("img");
    caption = dialog.querySelector(".lb-caption");
    counter = dialog.querySelector(".lb-counter");
    original = dialog.querySelector("[data-lb=original]");
    dialog.addEventListener("click", (event) => {
      const action = event.target.closest("[data-lb]")?.dataset.lb;
      if (action === "prev") show(index - 1);
      else if (action === "next") show(index + 1);
      else if (action === "in") setZoom(zoom === 0 ? 1 : zoom * 2);
      else if (action === "out") setZoom(zoom <= 1 ? 0 : zoom / 2);
      else if (action === "fit") setZoom(0);
      else if (action === "close") dialog.close();
      else if (event.target === img) setZoom(zoom === 0 ? 1 : 0);
    });
    dialog.addEventListener("keydown", (event) => {
      // Keys typed into a form docked in the viewer (pins.js) or moving a drawn box are theirs.
      if (event.defaultPrevented || event.target.closest("input, textarea, select, [contenteditable], [role=application]")) return;
      if (event.key === "ArrowLeft") { show(index - 1); event.preventDefault(); }
      else if (event.key === "ArrowRight") { show(index + 1); event.preventDefault(); }
      else if (event.key === "+" || event.key === "=") setZoom(zoom === 0 ? 1 : zoom * 2);
      else if (event.key === "-") setZoom(zoom <= 1 ? 0 : zoom / 2);
      else if (event.key === "0") setZoom(0);
    });
    dialog.addEventListener("close", () => {
      img.removeAttribute("src");
      document.dispatchEvent(new CustomEvent("lightbox:close", { detail: { dialog } }));
      items[index]?.focus();
    });
  }

  // zoom 0 fits the window; 1, 2, 4 ... are multiples of the image's own pixels.
  function setZoom(level) {
    zoom = Math.min(8, level);
    if (zoom > 0 && full && img.getAttribute("src") !== full) {
      img.src = full;  // the web-size copy is fine to fit; zoom shows the real pixels
      img.addEventListener("load", () => setZoom(zoom), { once: true });
    }
    view.classList.toggle("zoomed", zoom > 0);
    img.style.width = zoom > 0 && img.naturalWidth ? img.naturalWidth * zoom + "px" : "";
    dialog.dataset.zoom = String(zoom);
  }

  function show(i) {
    index = (i + items.length) % items.length;
    const link = items[index];
    const thumb = link.querySelector("img");
    full = link.href;
    img.src = link.dataset.display || link.href;
    img.alt = thumb?.alt || link.dataset.caption || "";
    caption.textContent = link.dataset.caption || thumb?.alt || "";
    counter.textContent = items.length > 1 ? `${index + 1} of ${items.length}` : "";
    original.href = link.href;
    dialog.querySelectorAll("[data-lb=prev], [data-lb=next]").forEach((b) => { b.hidden = items.length < 2; });
    setZoom(0);
    // Others draw over the image shown (pins.js: pins and regions; placements.js: a crop).
    document.dispatchEvent(new CustomEvent("lightbox:show", { detail: { dialog, view, img, link } }));
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-lightbox]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (!dialog) build();
    items = [...document.querySelectorAll(`a[data-lightbox="${CSS.escape(link.dataset.lightbox)}"]`)];
    // The same image linked twice (e.g. a tile and a lineage node) counts once.
    items = items.filter((item, i) => items.findIndex((other) => other.href === item.href) === i || item === link);
    dialog.showModal();
    show(items.indexOf(link));
    dialog.querySelector("[data-lb=close]").focus();
  });

  // Compare: side by side, or one image over the other with a slider revealing the result.
  function setupCompare(box) {
    const frame = box.querySelector(".slider .frame"), range = box.querySelector(".slider input[type=range]");
    const reveal = () => frame.style.setProperty("--reveal", range.value + "%");
    range.addEventListener("input", reveal);
    reveal();
    box.querySelectorAll(".modes button").forEach((button) => button.addEventListener("click", () => {
      box.querySelectorAll(".modes button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      box.querySelector(".side").hidden = button.dataset.mode !== "side";
      box.querySelector(".slider").hidden = button.dataset.mode !== "slider";
    }));
  }
  function init(root) { root.querySelectorAll("[data-compare]:not([data-ready])").forEach((box) => { box.dataset.ready = "1"; setupCompare(box); }); }
  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target));
})();
