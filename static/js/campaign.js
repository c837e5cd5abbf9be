// Campaign pages. New campaign: draw each format tile at its shape. Campaign grid: confirm a
// stage before it spends money; arrows move between tiles, a/r/c (or the tap buttons on a phone)
// decide on the focused tile's image, Space opens a quick look beside its source, Enter opens it
// (back returns to the same tile); keys typed in the comment box stay there (Ctrl/⌘+Enter sends
// the comment with the decision that asked for it, Esc returns to the grid).
(function () {
  document.querySelectorAll("[data-ratio]").forEach((shape) => {
    const [w, h] = shape.dataset.ratio.split(":").map(Number);
    shape.style.aspectRatio = `${w} / ${h}`;
    if (shape.classList.contains("shape") && w > h) { shape.style.height = "auto"; shape.style.width = "4rem"; }
  });

  document.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  const board = () => document.getElementById("board");
  if (!board()) return;
  // Each decision's key and whether it needs a comment: the server's rules, rendered into the page.
  const rulesHolder = document.getElementById("decision-keys");
  const rules = rulesHolder ? JSON.parse(rulesHolder.textContent) : [];
  const byKey = Object.fromEntries(rules.map((d) => [d.key, d]));
  const byDecision = Object.fromEntries(rules.map((d) => [d.decision, d]));
  const placeKey = `campaign-tile:${location.pathname}`;
  let last = { row: 0, col: 0 };
  let waitingFor = null;  // a decision that asked for a comment: { tile position, rule }

  // The tile size the person picked, kept for next time (the select is redrawn with the board).
  const applySize = () => {
    const select = document.getElementById("tile-size");
    const saved = localStorage.getItem("campaign-tile-size");
    if (select && saved && [...select.options].some((o) => o.value === saved)) select.value = saved;
    if (select) document.documentElement.style.setProperty("--tile", `${select.value}rem`);
  };
  applySize();
  document.addEventListener("change", (event) => {
    if (event.target.id !== "tile-size") return;
    localStorage.setItem("campaign-tile-size", event.target.value);
    applySize();
  });

  const tileAt = (row, col) => document.querySelector(`#grid .ctile[data-row="${row}"][data-col="${col}"]`);
  const focusTile = (row, col) => {
    const tile = tileAt(row, col);
    if (!tile) return false;
    document.querySelectorAll("#grid .ctile[tabindex='0']").forEach((t) => t.setAttribute("tabindex", "-1"));
    tile.setAttribute("tabindex", "0");
    tile.focus();
    last = { row, col };
    return true;
  };
  const position = (tile) => ({ row: Number(tile.dataset.row), col: Number(tile.dataset.col) });
  const next = ({ row, col }) => (tileAt(row, col + 1) ? { row, col: col + 1 } : { row: row + 1, col: 0 });
  // After a decision, the next image still waiting for one (in reading order), else the next square.
  const nextPending = (tile) => {
    const tiles = [...document.querySelectorAll("#grid .ctile")];
    const after = tiles.slice(tiles.indexOf(tile) + 1).find((t) => t.dataset.review === "pending");
    return after ? position(after) : next(position(tile));
  };

  const replaceBoard = (html, refocus) => {
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const fresh = holder.querySelector("#board");
    if (!fresh) return null;
    const active = document.activeElement;
    const wasOnBoard = !active || active === document.body || (board().contains(active) && active.id !== "grid-comment");
    // The comment being typed and the status line stay as they are (as hx-preserve does for htmx).
    ["grid-comment", "decision-status"].forEach((id) => {
      const old = document.getElementById(id), neu = fresh.querySelector(`#${id}`);
      if (old && neu) neu.replaceWith(old);
    });
    board().replaceWith(fresh);
    if (active && active.id === "grid-comment") active.focus();
    applySize();
    if (window.htmx) window.htmx.process(fresh);
    if (refocus && wasOnBoard) focusTile(refocus.row, refocus.col) || focusTile(last.row, last.col);
    return fresh;
  };

  // Decisions go out one after another (keys may come faster than answers); focus moves on at once.
  // The status line counts what is saving, what was refused and why, and what the grid did not show.
  let queue = Promise.resolve();
  let saving = 0;
  const refusals = {};
  let note = "";
  const showStatus = () => {
    const status = document.getElementById("decision-status");
    if (!status) return;
    const refused = Object.entries(refusals).map(([why, n]) => `${n} refused: ${why}`).join("; ");
    const head = saving ? `Saving ${saving} decision${saving === 1 ? "" : "s"}…` : (refused ? "Other decisions saved." : "All decisions saved.");
    status.textContent = [head, refused, note].filter(Boolean).join(" ");
  };
  function decide(tile, rule) {
    const comment = document.getElementById("grid-comment");
    if (rule.comment_required && comment && !comment.value.trim()) {
      waitingFor = { at: position(tile), rule };
      comment.focus();
      const status = document.getElementById("decision-status");
      if (status) status.textContent = `${rule.label}: say why in the comment, then press Ctrl+Enter (⌘+Enter) to send.`;
      return;
    }
    waitingFor = null;
    const body = new FormData();
    body.append("asset", tile.dataset.asset);
    body.append("decision", rule.decision);
    body.append("comment", comment ? comment.value : "");
    const here = position(tile);
    const url = board().dataset.decideUrl, csrf = board().dataset.csrf;
    const ahead = nextPending(tile);
    tile.dataset.review = "decided";  // until the refreshed board says how it stands
    focusTile(ahead.row, ahead.col);
    if (comment && rule.comment_required) comment.value = "";
    saving += 1;
    note = "";
    showStatus();
    queue = queue.then(async () => {
      try {
        const response = await fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
        const fresh = replaceBoard(await response.text(), response.ok ? last : here);
        if (fresh && fresh.dataset.refused) refusals[fresh.dataset.refused] = (refusals[fresh.dataset.refused] || 0) + 1;
        if (fresh && fresh.dataset.note) note = fresh.dataset.note;
      } finally {
        saving -= 1;
        showStatus();
      }
    });
  }

  // Quick look: the focused tile's image large, beside what it was made from, with the copy it should carry.
  const look = document.getElementById("quick-look");
  function quickLook(tile) {
    if (!look || !tile.dataset.full) return;
    document.getElementById("quick-look-title").textContent = tile.dataset.title || "Quick look";
    document.getElementById("quick-look-image").src = tile.dataset.full;
    document.getElementById("quick-look-image").alt = tile.dataset.title || "";
    const copy = document.getElementById("quick-look-copy");
    copy.textContent = tile.dataset.copy ? `Copy it should carry: ${tile.dataset.copy}` : "";
    const sourceFigure = document.getElementById("quick-look-source-figure");
    sourceFigure.hidden = !tile.dataset.source;
    if (tile.dataset.source) document.getElementById("quick-look-source").src = tile.dataset.source;
    look.showModal();
  }
  // Closing puts the focus back on the tile at once, in the same key press: the tile it was opened
  // from may have been redrawn by a refresh meanwhile, and the next key must reach the grid.
  const closeLook = () => { look.close(); focusTile(last.row, last.col); };
  if (look) {
    document.getElementById("quick-look-close").addEventListener("click", closeLook);
    look.addEventListener("keydown", (event) => {
      if (event.key === " " || event.key === "Escape") { event.preventDefault(); closeLook(); }
    });
    look.addEventListener("close", () => { if (document.activeElement === document.body) focusTile(last.row, last.col); });
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.id === "grid-comment") {
      if (event.key === "Escape") { focusTile(last.row, last.col); return; }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        const tile = waitingFor ? tileAt(waitingFor.at.row, waitingFor.at.col) : null;
        if (tile && tile.dataset.asset) decide(tile, waitingFor.rule);
        else {
          const status = document.getElementById("decision-status");
          if (status) status.textContent = "Press Esc, then r to reject or c to request changes with this comment (or use the tap buttons).";
        }
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || target.closest("input, textarea, select, dialog")) return;
    const tile = target.closest ? target.closest("#grid .ctile") : null;
    if (!tile) return;
    const { row, col } = position(tile);
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (moves[event.key]) {
      event.preventDefault();
      focusTile(row + moves[event.key][0], col + moves[event.key][1]);
      return;
    }
    if (event.key === " ") { event.preventDefault(); quickLook(tile); return; }
    if (event.key === "Enter") sessionStorage.setItem(placeKey, JSON.stringify(position(tile)));  // back returns here
    const rule = byKey[event.key];
    if (rule && tile.dataset.asset && document.getElementById("grid-decision")) {
      event.preventDefault();
      decide(tile, rule);
    }
  });

  // Tap to decide (a phone): the same decisions, on the tile the buttons belong to.
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".tap-decide button[data-decision]");
    if (!button) return;
    const tile = button.closest("td").querySelector(".ctile");
    const rule = byDecision[button.dataset.decision];
    if (tile && rule) { last = position(tile); decide(tile, rule); }
  });
  document.addEventListener("click", (event) => {
    const tile = event.target.closest && event.target.closest("#grid a.ctile");
    if (tile) sessionStorage.setItem(placeKey, JSON.stringify(position(tile)));
  });

  document.addEventListener("focusin", (event) => {
    const tile = event.target.closest && event.target.closest("#grid .ctile");
    if (tile) last = position(tile);
  });

  // The board refreshes itself while jobs run; keep the decider's place.
  document.body.addEventListener("htmx:afterSwap", () => {
    applySize();
    if (document.activeElement === document.body || !document.activeElement) focusTile(last.row, last.col);
  });

  // On load (and on coming back from an image): the tile the person left, else the first one.
  const restore = () => {
    let place = null;
    try { place = JSON.parse(sessionStorage.getItem(placeKey) || "null"); } catch (e) { place = null; }
    sessionStorage.removeItem(placeKey);
    if (!(place && focusTile(place.row, place.col))) focusTile(0, 0);
  };
  restore();
  window.addEventListener("pageshow", (event) => { if (event.persisted) restore(); });
})();
