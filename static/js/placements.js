// Placements panel: pick the focal point by clicking the image, and show a placement's crop and
// safe zones over it, on the page and in the lightbox (its "Placement crop" choice). The panel is
// swapped by htmx, so everything listens on the document.
(function () {
  "use strict";
  var picking = false;

  function image() { return document.querySelector(".stage img.asset-image, img.asset-image"); }
  function panel() { return document.querySelector("[data-placements]"); }

  function overlayHost() {
    var img = image();
    if (!img) return null;
    var host = img.closest(".stage") || img.parentElement;
    host.classList.add("placement-overlay-host");
    return host;
  }

  function clearOverlay() {
    document.querySelectorAll(".placement-overlay, .focal-marker").forEach(function (el) { el.remove(); });
    document.querySelectorAll("[data-show-crop][aria-pressed=true]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
  }

  // The img keeps its box; object-fit: contain letterboxes the picture inside it. This is the
  // picture's own rectangle, relative to the img's box.
  function picture(img) {
    var naturalW = img.naturalWidth || img.width, naturalH = img.naturalHeight || img.height;
    var scale = Math.min(img.clientWidth / naturalW, img.clientHeight / naturalH);
    var w = naturalW * scale, h = naturalH * scale;
    return { x: (img.clientWidth - w) / 2, y: (img.clientHeight - h) / 2, w: w, h: h };
  }

  function box(host, img, left, top, width, height, cls) {
    var el = document.createElement("div");
    var pic = picture(img);
    el.className = cls;
    el.style.left = (img.offsetLeft + pic.x + left * pic.w) + "px";
    el.style.top = (img.offsetTop + pic.y + top * pic.h) + "px";
    el.style.width = (width * pic.w) + "px";
    el.style.height = (height * pic.h) + "px";
    host.appendChild(el);
    return el;
  }

  function showFocal() {
    var p = panel(), img = image(), host = overlayHost();
    if (!p || !img || !host || p.dataset.focalX === undefined) return;
    var el = box(host, img, parseFloat(p.dataset.focalX), parseFloat(p.dataset.focalY), 0, 0, "focal-marker");
    el.title = "Focal point";
  }

  function showCrop(item) {
    var p = panel(), img = image(), host = overlayHost();
    if (!p || !img || !host || !item.dataset.crop) return;
    var w = parseFloat(p.dataset.assetWidth), h = parseFloat(p.dataset.assetHeight);
    var c = item.dataset.crop.split(",").map(parseFloat);
    var cx = c[0] / w, cy = c[1] / h, cw = c[2] / w, ch = c[3] / h;
    var crop = box(host, img, cx, cy, cw, ch, "placement-overlay placement-crop");
    crop.setAttribute("role", "img");  // a label needs a role (axe: aria-prohibited-attr)
    crop.setAttribute("aria-label", "Crop of " + item.dataset.placement);
    (item.dataset.zones || "").split(";").filter(Boolean).forEach(function (zone) {
      var z = zone.split(",").map(parseFloat);
      box(host, img, cx + z[0] * cw, cy + z[1] * ch, z[2] * cw, z[3] * ch, "placement-overlay placement-zone");
    });
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-focal-pick]");
    if (pick) {
      picking = !picking;
      pick.setAttribute("aria-pressed", picking ? "true" : "false");
      pick.textContent = picking ? "Click the point to keep in frame…" : "Set focal point by clicking the image";
      var img = image();
      if (img) img.classList.toggle("focal-picking", picking);
      return;
    }
    var show = event.target.closest("[data-show-crop]");
    if (show) {
      var on = show.getAttribute("aria-pressed") !== "true";
      clearOverlay();
      showFocal();
      if (on) {
        showCrop(show.closest("[data-placement]"));
        show.setAttribute("aria-pressed", "true");
        var img2 = image();
        if (img2) img2.scrollIntoView({ block: "nearest" });
      }
      return;
    }
    var target = picking ? image() : null;
    var rect = null;
    if (target) {
      var outer = target.getBoundingClientRect(), pic = picture(target);
      rect = { left: outer.left + pic.x, top: outer.top + pic.y, right: outer.left + pic.x + pic.w, bottom: outer.top + pic.y + pic.h, width: pic.w, height: pic.h };
    }
    // Layers drawn over the image (the checks' boxes) may take the click: its position decides.
    if (rect && event.clientX >= rect.left && event.clientX <= rect.right && event.clientY >= rect.top && event.clientY <= rect.bottom) {
      event.preventDefault();  // not the lightbox
      event.stopPropagation();
      var form = document.querySelector("[data-focal-form]");
      if (!form) return;
      form.elements.x.value = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width)).toFixed(4);
      form.elements.y.value = Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height)).toFixed(4);
      picking = false;
      target.classList.remove("focal-picking");
      form.requestSubmit();
    }
  }, true);

  // --- in the lightbox: a chosen placement's crop and safe zones over the image shown large.
  var lb = { select: null, img: null, host: null, key: "" };

  function lbClear() {
    if (lb.host) lb.host.querySelectorAll(".placement-overlay").forEach(function (el) { el.remove(); });
  }
  function lbDraw() {
    lbClear();
    var p = panel(), item = lb.key && document.getElementById("placement-" + lb.key);
    if (!p || !item || !item.dataset.crop || !lb.img || !lb.img.naturalWidth) return;
    var w = parseFloat(p.dataset.assetWidth), h = parseFloat(p.dataset.assetHeight);
    var c = item.dataset.crop.split(",").map(parseFloat);
    var cx = c[0] / w, cy = c[1] / h, cw = c[2] / w, ch = c[3] / h;
    var crop = box(lb.host, lb.img, cx, cy, cw, ch, "placement-overlay placement-crop");
    crop.setAttribute("role", "img");  // a label needs a role (axe: aria-prohibited-attr)
    crop.setAttribute("aria-label", "Crop of " + item.dataset.placement);
    (item.dataset.zones || "").split(";").filter(Boolean).forEach(function (zone) {
      var z = zone.split(",").map(parseFloat);
      box(lb.host, lb.img, cx + z[0] * cw, cy + z[1] * ch, z[2] * cw, z[3] * ch, "placement-overlay placement-zone");
    });
  }
  function lbOptions() {
    lb.select.replaceChildren(new Option("None", ""));
    document.querySelectorAll("[data-placements] [data-placement][data-crop]").forEach(function (item) {
      var label = item.querySelector(".placement-facts strong");
      var text = (label ? label.textContent : item.dataset.placement) + " " + item.dataset.width + "×" + item.dataset.height;
      lb.select.append(new Option(text, item.dataset.placement));
    });
  }
  document.addEventListener("lightbox:show", function (event) {
    var detail = event.detail, here = !!image() && detail.link.contains(image());
    if (!lb.select) {
      var label = document.createElement("label");
      label.className = "lb-placement";
      label.innerHTML = 'Placement crop <select data-lb-placement></select>';
      lb.select = label.querySelector("select");
      lb.select.addEventListener("change", function () { lb.key = lb.select.value; lbDraw(); });
      detail.dialog.querySelector("[data-lb=close]").before(label);
      lb.img = detail.img;
      lb.host = detail.view;
      lb.host.classList.add("lb-overlay-host");
      new ResizeObserver(function () { if (lb.key) lbDraw(); }).observe(lb.img);
      lb.img.addEventListener("load", function () { if (lb.key) lbDraw(); });
    }
    lb.select.parentElement.hidden = !here || !panel();
    if (!here || !panel()) { lb.key = ""; lbClear(); return; }
    var shown = document.querySelector("[data-show-crop][aria-pressed=true]");
    lbOptions();
    lb.key = shown ? shown.dataset.showCrop : "";
    lb.select.value = lb.key;
    lbDraw();
  });
  document.addEventListener("lightbox:close", function () { lb.key = ""; lbClear(); });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && (event.target.id === "placements" || event.target.querySelector && event.target.querySelector("[data-placements]"))) {
      clearOverlay();
      showFocal();
    }
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.matches && event.detail.elt.matches("[data-placements]")) {
      clearOverlay();
      showFocal();
    }
  });
})();
