// The brand kit page: each colour chip shows the colour typed next to it (and follows the typing),
// so a mistyped hex is seen before saving. Set through the CSSOM: no inline styles in the markup.
(function () {
  function paint(chip, value) {
    const hex = (value || "").trim();
    chip.style.backgroundColor = /^#?[0-9a-fA-F]{6}$/.test(hex) ? (hex.startsWith("#") ? hex : `#${hex}`) : "transparent";
  }
  document.querySelectorAll("[data-colour]").forEach((chip) => paint(chip, chip.dataset.colour));
  document.querySelectorAll("[data-chip-for]").forEach((chip) => {
    const input = document.getElementById(chip.dataset.chipFor);
    if (input) input.addEventListener("input", () => paint(chip, input.value));
  });
})();
