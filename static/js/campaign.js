// Campaign pages. New campaign: draw each format tile at its shape. Campaign grid: confirm a
// stage before it spends money; arrows move between tiles, a/r/c decide on the focused tile's
// image, Enter opens it; keys typed in the comment box stay there (Esc returns to the grid).
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
  let last = { row: 0, col: 0 };

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
    if (!fresh) return;
    const active = document.activeElement;
    const wasOnBoard = !active || active === document.body || board().contains(active);
    board().replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
    if (refocus && wasOnBoard) focusTile(refocus.row, refocus.col) || focusTile(last.row, last.col);
  };

  // Decisions go out one after another (keys may come faster than answers); focus moves on at once.
  let queue = Promise.resolve();
  let saving = 0;
  const showSaving = () => {
    const status = document.getElementById("decision-status");
    if (status) status.textContent = saving ? `Saving ${saving} decision${saving === 1 ? "" : "s"}…` : "All decisions saved.";
  };
  function decide(tile, rule) {
    const comment = document.getElementById("grid-comment");
    if (rule.comment_required && comment && !comment.value.trim()) { comment.focus(); return; }
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
    showSaving();
    queue = queue.then(async () => {
      try {
        const response = await fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
        replaceBoard(await response.text(), response.ok ? last : here);
      } finally {
        saving -= 1;
        showSaving();
      }
    });
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.id === "grid-comment" && event.key === "Escape") { focusTile(last.row, last.col); return; }
    if (event.ctrlKey || event.metaKey || event.altKey || target.closest("input, textarea, select")) return;
    const tile = target.closest ? target.closest("#grid .ctile") : null;
    if (!tile) return;
    const { row, col } = position(tile);
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    if (moves[event.key]) {
      event.preventDefault();
      focusTile(row + moves[event.key][0], col + moves[event.key][1]);
      return;
    }
    const rule = byKey[event.key];
    if (rule && tile.dataset.asset && document.getElementById("grid-decision")) {
      event.preventDefault();
      decide(tile, rule);
    }
  });

  document.addEventListener("focusin", (event) => {
    const tile = event.target.closest && event.target.closest("#grid .ctile");
    if (tile) last = position(tile);
  });

  // The board refreshes itself while jobs run; keep the decider's place.
  document.body.addEventListener("htmx:afterSwap", () => {
    if (document.activeElement === document.body || !document.activeElement) focusTile(last.row, last.col);
  });
})();
