// The gallery by keyboard and in bulk: arrow keys move between tiles (up and down by a row, as
// laid out), and ticking tiles shows a bar with what can be done to the selection.
(function () {
  // On a phone the filters start folded (unless some are on), so the first screen shows images.
  const panel = document.getElementById("filter-panel");
  if (panel && !("active" in panel.dataset) && matchMedia("(max-width: 50rem)").matches) panel.open = false;

  function tiles() { return [...document.querySelectorAll("#gallery [data-tile] .tile-image")]; }

  document.addEventListener("keydown", (event) => {
    if (!["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].includes(event.key)) return;
    const current = event.target.closest("#gallery [data-tile]");
    if (!current || event.target.matches("input, textarea, select")) return;
    const links = tiles(), here = links.indexOf(current.querySelector(".tile-image"));
    const top = links[0].getBoundingClientRect().top;
    const columns = Math.max(1, links.filter((link) => link.getBoundingClientRect().top === top).length);
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns }[event.key];
    const next = event.key === "Home" ? 0 : event.key === "End" ? links.length - 1 : here + step;
    if (next < 0 || next >= links.length) return;
    event.preventDefault();
    links[next].focus();
    links[next].scrollIntoView({ block: "nearest" });
  });

  const bar = document.getElementById("bulk-form");
  if (!bar) return;
  function refresh() {
    const chosen = document.querySelectorAll("input[form=bulk-form][name=assets]:checked").length;
    bar.hidden = chosen === 0;
    const limit = Number(bar.dataset.max);
    document.getElementById("selected-count").textContent = `${chosen} selected` + (chosen > limit ? ` (at most ${limit} at once)` : "");
  }
  document.addEventListener("change", (event) => { if (event.target.matches("input[form=bulk-form]")) refresh(); });
  document.addEventListener("htmx:afterSwap", refresh);
  // Come back to the gallery as it is filtered now (the filters change the address as they apply).
  bar.addEventListener("submit", () => { bar.elements.next.value = location.pathname + location.search; });
  document.getElementById("clear-selection").addEventListener("click", () => {
    document.querySelectorAll("input[form=bulk-form][name=assets]:checked").forEach((box) => { box.checked = false; });
    refresh();
  });
  refresh();
})();
