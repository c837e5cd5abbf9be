// Pins and regions over an asset's image.
//  - The numbered markers of pinned comments (json_script "pin-markers"); a marker leads to its comment.
//  - The drawing tool of a comment form (a point or a box) and of "Fix a region" (a box or a brush):
//    with the mouse or a finger (pointer events), or with the keyboard only ("Box with the keyboard":
//    arrow keys move the box, Alt+arrows resize it, Shift for bigger steps, Esc clears it).
//  - For a region: the crop the job would send, asked of the server (region-edit preview) so the
//    preview is the job's own plan, outlined on the image and shown beside the form.
//  - On a region edit's page, the region it changed, outlined over its source (data-region-outline).
// Coordinates are 0–1 of the image, as the server stores them. Each overlay covers the picture as
// shown: object-fit: contain may letterbox it inside the img's box.
(function () {
  function init() {
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  const round = (v) => Math.round(v * 10000) / 10000;
  const pct = (v) => `${(v * 100).toFixed(2)}%`;

  function overlayOver(img, className, size) {
    const holder = img.parentElement;
    holder.classList.add("pin-holder");
    const overlay = document.createElement("div");
    overlay.className = className;
    holder.append(overlay);
    const width = size ? size.width : Number(img.getAttribute("width")) || img.naturalWidth;
    const height = size ? size.height : Number(img.getAttribute("height")) || img.naturalHeight;
    function place() {
      const boxW = img.clientWidth, boxH = img.clientHeight;
      if (!boxW || !boxH || !width || !height) return;
      const scale = Math.min(boxW / width, boxH / height);
      const shownW = width * scale, shownH = height * scale;
      overlay.style.left = `${img.offsetLeft + (boxW - shownW) / 2}px`;
      overlay.style.top = `${img.offsetTop + (boxH - shownH) / 2}px`;
      overlay.style.width = `${shownW}px`;
      overlay.style.height = `${shownH}px`;
    }
    new ResizeObserver(place).observe(img);
    img.addEventListener("load", place);
    place();
    return { overlay, width, height };
  }

  function position(el, box) {
    el.style.left = pct(box.x);
    el.style.top = pct(box.y);
    if (box.w !== undefined) { el.style.width = pct(box.w); el.style.height = pct(box.h); }
  }

  // --- the region a region edit changed, over its source
  document.querySelectorAll("img[data-region-outline]").forEach((img) => {
    const { overlay } = overlayOver(img, "pin-overlay");
    const outline = document.createElement("div");
    outline.className = "region-outline";
    outline.title = "The region this edit changed";
    position(outline, JSON.parse(img.dataset.regionOutline));
    overlay.append(outline);
  });

  // A pin's marker leads to its comment: on this page, or on the asset's page (hrefBase).
  function markerElements(pins, hrefBase) {
    return pins.map((p) => {
      const el = document.createElement("a");
      el.href = `${hrefBase}#comment-${p.id}`;
      el.className = `pin-marker ${p.pin.w !== undefined ? "box" : "point"}${p.resolved ? " resolved" : ""}${p.earlier ? " earlier" : ""}`;
      el.setAttribute("aria-label", `Pin ${p.number}${p.earlier ? ", on an earlier version" : ""}${p.resolved ? ", resolved" : ""}`);
      position(el, p.pin);
      const number = document.createElement("span");
      number.textContent = p.number;
      el.append(number);
      el.addEventListener("click", (event) => {
        event.stopPropagation();  // not the lightbox of a link around the image
        el.closest("dialog")?.close();  // a marker in the lightbox leads to its comment on the page
        const comment = !hrefBase && document.getElementById(`comment-${p.id}`);
        if (comment) { event.preventDefault(); comment.scrollIntoView({ block: "center" }); comment.focus({ preventScroll: true }); }
      });
      return el;
    });
  }

  // --- read-only pins (a campaign cell's variations, the admin's change page)
  document.querySelectorAll("img[data-pins]").forEach((img) => {
    const pins = JSON.parse(img.dataset.pins);
    if (!pins.length) return;
    const { overlay } = overlayOver(img, "pin-overlay");
    overlay.append(...markerElements(pins, img.dataset.pinsHref || ""));
  });

  const pageImage = document.querySelector("[data-checks-image]");
  if (!pageImage) return;
  const imageWidth = Number(pageImage.getAttribute("width")) || pageImage.naturalWidth;
  const imageHeight = Number(pageImage.getAttribute("height")) || pageImage.naturalHeight;

  // A surface is an image one can draw on: the page's, and the lightbox's when it shows the same
  // image large. Drawing happens on the active one (S); coordinates are 0–1 of the image either way.
  const surfaces = [];
  let S = null;
  function makeSurface(img) {
    const { overlay } = overlayOver(img, "pin-overlay", { width: imageWidth, height: imageHeight });
    const surface = { img, overlay, markers: document.createElement("div"), draft: document.createElement("div"),
      cropOutline: document.createElement("div"), brush: document.createElement("canvas") };
    const { markers, draft, cropOutline, brush } = surface;
    markers.className = "pin-markers";
    draft.className = "draw-draft";
    draft.tabIndex = 0;
    draft.hidden = true;
    draft.setAttribute("role", "application");
    draft.setAttribute("aria-roledescription", "box on the image");
    cropOutline.className = "crop-outline";
    cropOutline.hidden = true;
    brush.className = "brush-canvas";
    brush.hidden = true;
    overlay.append(markers, cropOutline, brush, draft);
    listen(surface);
    surfaces.push(surface);
    return surface;
  }

  // --- markers, on every surface
  function drawMarkers() {
    const data = document.getElementById("pin-markers");
    const pins = data ? JSON.parse(data.textContent) : [];
    surfaces.forEach((surface) => surface.markers.replaceChildren(...markerElements(pins, "")));
  }
  S = makeSurface(pageImage);
  const pageSurface = S;
  drawMarkers();

  // --- drawing
  let form = null;       // the form being drawn for
  let mode = null;       // "point" | "box" | "brush" while the pointer draws
  let rect = null;       // the box (or point) drawn, 0–1
  let start = null, swallowClick = false, painted = false, lastPaint = null, previewTimer = null;
  const part = (name) => form && form.querySelector(`[data-${name}]`);

  function say(text) { const status = part("draw-status"); if (status) status.textContent = text; }
  const share = (v) => `${Math.round(v * 1000) / 10}%`;
  function describe(box) {
    if (box.w === undefined) return `Pin at ${share(box.x)} across, ${share(box.y)} down.`;
    const px = `${Math.round(box.w * imageWidth)}×${Math.round(box.h * imageHeight)} px`;
    return `Box at ${share(box.x)} across, ${share(box.y)} down, ${share(box.w)} wide, ${share(box.h)} high (${px}).`;
  }
  function pressed(kind) {
    form.querySelectorAll("[data-draw]").forEach((b) => { if (b.hasAttribute("aria-pressed")) b.setAttribute("aria-pressed", String(b.dataset.draw === kind)); });
  }
  function showDraft() {
    const { draft } = S;
    draft.hidden = !rect;
    if (!rect) return;
    draft.classList.toggle("point", rect.w === undefined);
    position(draft, rect);
    draft.setAttribute("aria-label", `${describe(rect)} Arrow keys move it, Alt and arrow keys resize it, Shift for bigger steps, Escape clears it.`);
  }
  function store(value) {
    const input = part("draw-value");
    if (input) input.value = value ? JSON.stringify(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)]))) : "";
    const clear = form.querySelector('[data-draw="clear"]');
    if (clear) clear.hidden = !value && !painted;
    const keys = part("draw-keys");
    if (keys) keys.hidden = !(value && value.w !== undefined);
  }
  function setRect(value) {
    rect = value;
    showDraft();
    store(rect);
    if (rect) say(describe(rect));
    preview();
  }
  function stopDrawing() {
    mode = null;
    S.overlay.classList.remove("drawing", "brushing");
    if (form) pressed(null);
  }
  function clearAll() {
    stopDrawing();
    rect = null;
    painted = false;
    S.brush.getContext("2d").clearRect(0, 0, S.brush.width, S.brush.height);
    S.brush.hidden = true;
    S.draft.hidden = true;
    S.cropOutline.hidden = true;
    const box = part("crop-preview");
    if (box) box.hidden = true;
    if (form) { store(null); form.dataset.using = ""; say("Cleared."); }
  }
  function takeOver(next) {
    if (form && form !== next) clearAll();
    form = next;
  }

  function begin(next, kind) {
    takeOver(next);
    if (kind === "clear") { clearAll(); return; }
    if (kind === "keys") {
      stopDrawing();
      if (painted) clearAll();
      form.dataset.using = "box";
      setRect(rect && rect.w !== undefined ? rect : { x: 0.4, y: 0.4, w: 0.2, h: 0.2 });
      S.img.scrollIntoView({ block: "nearest" });
      S.draft.focus({ preventScroll: true });
      return;
    }
    mode = kind;
    pressed(kind);
    S.overlay.classList.add("drawing");
    S.img.scrollIntoView({ block: "nearest" });
    if (kind === "brush") {
      rect = null;
      S.draft.hidden = true;
      store(null);
      form.dataset.using = "brush";
      S.overlay.classList.add("brushing");
      sizeBrush();
      S.brush.hidden = false;
      const size = form.querySelector(".brush-size");
      if (size) size.hidden = false;
      say("Paint over the part to change; paint again to add to it. Clear starts over.");
    } else {
      if (painted) clearAll();
      form.dataset.using = "box";
      say(kind === "point" ? "Click or tap the image where the pin goes." : "Drag over the part of the image (mouse or finger).");
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-draw]");
    const owner = button && button.closest("[data-draw-form]");
    if (owner) begin(owner, button.dataset.draw);
  });

  function at(event) {
    const box = S.overlay.getBoundingClientRect();
    return { x: clamp((event.clientX - box.left) / box.width, 0, 1), y: clamp((event.clientY - box.top) / box.height, 0, 1) };
  }
  const span = (a, b) => ({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) });

  function listen(surface) {
  const { overlay, draft } = surface;
  overlay.addEventListener("pointerdown", (event) => {
    if (!mode || surface !== S) return;
    event.preventDefault();
    overlay.setPointerCapture(event.pointerId);
    start = at(event);
    if (mode === "brush") { lastPaint = null; paint(start); }
  });
  overlay.addEventListener("pointermove", (event) => {
    if (!start) return;
    if (mode === "brush") paint(at(event));
    else if (mode === "box") { rect = span(start, at(event)); showDraft(); }
  });
  overlay.addEventListener("pointerup", (event) => {
    if (!start) return;
    const end = at(event);
    const from = start;
    start = null;
    swallowClick = true;
    if (mode === "brush") { lastPaint = null; previewPainted(); return; }
    if (mode === "point") { stopDrawing(); setRect({ x: end.x, y: end.y }); return; }
    const box = span(from, end);
    if (box.w < 0.01 || box.h < 0.01) { rect = null; showDraft(); say("That was a click: drag across the part of the image to draw a box."); return; }
    stopDrawing();
    setRect(box);
    draft.focus({ preventScroll: true });
  });
  overlay.addEventListener("click", (event) => {
    if (mode || swallowClick || event.target === draft) { event.preventDefault(); event.stopPropagation(); }
    swallowClick = false;
  });

  draft.addEventListener("keydown", (event) => {
    if (!rect || !form) return;
    if (event.key === "Escape") { event.preventDefault(); clearAll(); return; }
    if (event.key === "Enter") { event.preventDefault(); form.querySelector("textarea")?.focus(); return; }
    const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
    if (!move || rect.w === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    const step = event.shiftKey ? 0.1 : 0.01;
    const next = { ...rect };
    if (event.altKey) {
      next.w = clamp(next.w + move[0] * step, 0.01, 1 - next.x);
      next.h = clamp(next.h + move[1] * step, 0.01, 1 - next.y);
    } else {
      next.x = clamp(next.x + move[0] * step, 0, 1 - next.w);
      next.y = clamp(next.y + move[1] * step, 0, 1 - next.h);
    }
    setRect(next);
  });
  }

  // --- brush
  function sizeBrush() {
    const { overlay, brush } = S;
    const box = overlay.getBoundingClientRect();
    const w = Math.max(1, Math.round(box.width)), h = Math.max(1, Math.round(box.height));
    if (brush.width === w && brush.height === h) return;
    const old = document.createElement("canvas");
    old.width = brush.width; old.height = brush.height;
    old.getContext("2d").drawImage(brush, 0, 0);
    brush.width = w; brush.height = h;
    if (painted) brush.getContext("2d").drawImage(old, 0, 0, w, h);
  }
  function paint(point) {
    const { brush } = S;
    const ctx = brush.getContext("2d");
    const size = Number(form.querySelector("[data-brush-size]")?.value || 32);
    const x = point.x * brush.width, y = point.y * brush.height;
    ctx.strokeStyle = ctx.fillStyle = "rgb(255, 0, 160)";
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.lineWidth = size;
    ctx.beginPath();
    if (lastPaint) { ctx.moveTo(lastPaint.x, lastPaint.y); ctx.lineTo(x, y); ctx.stroke(); }
    else { ctx.arc(x, y, size / 2, 0, Math.PI * 2); ctx.fill(); }
    lastPaint = { x, y };
    painted = true;
  }
  function paintedBox() {
    const { width, height } = S.brush;
    const alpha = S.brush.getContext("2d").getImageData(0, 0, width, height).data;
    let left = width, top = height, right = -1, bottom = -1;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
      if (alpha[(y * width + x) * 4 + 3] > 127) { if (x < left) left = x; if (x > right) right = x; if (y < top) top = y; if (y > bottom) bottom = y; }
    }
    if (right < 0) return null;
    return { x: left / width, y: top / height, w: (right + 1 - left) / width, h: (bottom + 1 - top) / height };
  }
  function previewPainted() {
    const box = paintedBox();
    const clear = form.querySelector('[data-draw="clear"]');
    if (clear) clear.hidden = !box;
    if (!box) return;
    say(`Painted area: ${describe(box).replace(/^Box /, "")}`);
    rect = null;
    preview(box);
  }
  // The mask the server wants: the source's size, white where it may change, black elsewhere.
  function maskFile() {
    return new Promise((resolve) => {
      const mask = document.createElement("canvas");
      mask.width = imageWidth; mask.height = imageHeight;
      const ctx = mask.getContext("2d");
      ctx.drawImage(S.brush, 0, 0, imageWidth, imageHeight);
      ctx.globalCompositeOperation = "source-in";
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, imageWidth, imageHeight);
      ctx.globalCompositeOperation = "destination-over";
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, imageWidth, imageHeight);
      mask.toBlob((blob) => resolve(new File([blob], "mask.png", { type: "image/png" })), "image/png");
    });
  }
  document.addEventListener("submit", async (event) => {
    const target = event.target;
    if (target !== form || target.dataset.drawForm !== "region" || target.dataset.using !== "brush" || target.dataset.maskReady) return;
    event.preventDefault();
    if (!painted) { say("Paint over the part to change first."); return; }
    const files = new DataTransfer();
    files.items.add(await maskFile());
    part("mask-input").files = files.files;
    target.dataset.maskReady = "1";
    HTMLFormElement.prototype.submit.call(target);
  });

  // --- the crop a region edit would send
  function preview(box = rect) {
    const figure = part("crop-preview");
    if (!figure || !form.dataset.previewUrl) return;
    if (!box || box.w === undefined) { figure.hidden = true; S.cropOutline.hidden = true; return; }
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const modeField = form.querySelector("[name=mode]");
      const query = new URLSearchParams({ x: round(box.x), y: round(box.y), w: round(box.w), h: round(box.h), mode: modeField ? modeField.value : "crop" });
      const answer = await fetch(`${form.dataset.previewUrl}?${query}`, { headers: { Accept: "application/json" } });
      const plan = await answer.json();
      if (!answer.ok) { figure.hidden = true; S.cropOutline.hidden = true; say(plan.error || "This region cannot be edited."); return; }
      const c = plan.covers;
      position(S.cropOutline, c);
      S.cropOutline.hidden = false;
      const canvas = figure.querySelector("canvas");
      const scale = Math.min(240 / plan.crop_pixels[0], 240 / plan.crop_pixels[1]);
      canvas.width = Math.max(1, Math.round(plan.crop_pixels[0] * scale));
      canvas.height = Math.max(1, Math.round(plan.crop_pixels[1] * scale));
      const ctx = canvas.getContext("2d");
      const nw = S.img.naturalWidth, nh = S.img.naturalHeight;
      ctx.drawImage(S.img, c.x * nw, c.y * nh, c.w * nw, c.h * nh, 0, 0, canvas.width, canvas.height);
      ctx.strokeStyle = "#ff00a0";
      ctx.lineWidth = 2;
      ctx.strokeRect((box.x - c.x) / c.w * canvas.width, (box.y - c.y) / c.h * canvas.height, box.w / c.w * canvas.width, box.h / c.h * canvas.height);
      const [cw, ch] = plan.crop_pixels;
      figure.querySelector("figcaption").textContent = modeField && modeField.value === "marked"
        ? `The model is sent the whole image with the region outlined, and answers at ${plan.image_size} ${plan.aspect_ratio}. Only the outlined part changes.`
        : `The model is sent this ${cw}×${ch} px crop (dashed on the image) and answers at ${plan.image_size} ${plan.aspect_ratio}. Only the outlined part changes.`;
      figure.hidden = false;
    }, 120);
  }
  document.addEventListener("change", (event) => {
    if (form && event.target.name === "mode" && event.target.form === form) preview(rect || (painted ? paintedBox() : null));
  });

  // Draw on another surface from now on: a box or point drawn so far moves with it (it is 0–1 of
  // the image); a brush stroke does not (its canvas is the old surface's size).
  function use(next) {
    if (next === S) return;
    if (painted) clearAll();
    stopDrawing();
    S.draft.hidden = true;
    S.cropOutline.hidden = true;
    S = next;
    showDraft();
    if (form && rect) preview();
  }

  // --- in the lightbox: the same forms, docked beside the image shown large. The page's own form
  // moves into the viewer and back, so a comment or a region made there is exactly the page's.
  const lb = { dialog: null, surface: null, panel: null, status: null, buttons: [], docked: null, placeholder: null };
  const pageForm = (kind) => [...document.querySelectorAll(`[data-draw-form="${kind}"]`)].find((f) => !f.closest("dialog"));
  const TOOLS = [["pin", "Comment on the image"], ["region", "Fix a region"]];

  function lbBuild(dialog) {
    lb.dialog = dialog;
    lb.panel = document.createElement("section");
    lb.panel.className = "lb-panel";
    lb.panel.hidden = true;
    lb.panel.setAttribute("aria-label", "Draw on the image");
    lb.status = document.createElement("p");
    lb.status.className = "help lb-panel-status";
    lb.status.setAttribute("role", "status");
    lb.panel.append(lb.status);
    dialog.append(lb.panel);
    const close = dialog.querySelector("[data-lb=close]");
    lb.buttons = TOOLS.map(([kind, label]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.lbDock = kind;
      button.setAttribute("aria-pressed", "false");
      button.textContent = label;
      button.addEventListener("click", () => {
        const target = pageForm(kind);
        if (lb.docked && lb.docked.dataset.drawForm === kind) undock(); else if (target) dock(target);
      });
      close.before(button);
      return button;
    });
  }
  function dock(target) {
    undock();
    lb.placeholder = document.createComment("docked in the lightbox");
    target.before(lb.placeholder);
    lb.panel.append(target);
    lb.docked = target;
    lb.panel.hidden = false;
    lb.status.textContent = "";
    lb.dialog.classList.add("lb-with-panel");
    lb.buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lbDock === target.dataset.drawForm)));
    use(lb.surface);
    target.querySelector("[data-draw]")?.focus();
  }
  function undock() {
    if (!lb.docked) return;
    if (lb.placeholder && lb.placeholder.isConnected) lb.placeholder.replaceWith(lb.docked);
    else lb.docked.remove();  // its panel was swapped meanwhile; the page has a new form
    lb.placeholder = null;
    lb.docked = null;
    lb.panel.hidden = true;
    lb.dialog.classList.remove("lb-with-panel");
    lb.buttons.forEach((b) => b.setAttribute("aria-pressed", "false"));
    use(pageSurface);
  }
  document.addEventListener("lightbox:show", (event) => {
    const { dialog, img, link } = event.detail;
    if (!lb.dialog) lbBuild(dialog);
    const here = link.contains(pageImage);  // the viewer shows this page's image, not another of its group
    if (here && !lb.surface) { lb.surface = makeSurface(img); drawMarkers(); }
    if (lb.surface) lb.surface.overlay.hidden = !here;
    if (!here) undock();
    lb.buttons.forEach((b) => { b.hidden = !here || !(pageForm(b.dataset.lbDock) || lb.docked?.dataset.drawForm === b.dataset.lbDock); });
  });
  document.addEventListener("lightbox:close", () => undock());

  // The comments panel is swapped whole by htmx after a comment: draw its pins, forget its old form.
  // Docked in the lightbox, the new panel's form (empty, or with the refusal) takes the old one's place.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (lb.docked && lb.docked.dataset.drawForm === "pin" && !lb.placeholder.isConnected) {
      const fresh = pageForm("pin");
      const failed = event.detail.xhr && event.detail.xhr.status >= 400;
      lb.docked.remove();
      lb.docked = null;
      if (form && !document.contains(form)) { form = null; clearAll(); }
      if (fresh) {
        // htmx binds the new panel's forms after this event, walking the panel: bind this one now,
        // before it leaves the panel, or its next comment would post as a plain form.
        if (window.htmx) window.htmx.process(fresh);
        dock(fresh);
        lb.status.textContent = failed ? "Not added: see the message in the form." : "Comment added: its pin is on the image.";
      } else undock();
    }
    if (form && !document.contains(form)) { form = null; clearAll(); }
    drawMarkers();
  });
  }
  // Admin pages load scripts in <head> without defer.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
