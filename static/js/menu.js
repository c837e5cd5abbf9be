// On a phone the site header is one line: the brand and a Menu button that opens the project's
// sections and the account links (issue 28 item 16). Without this script the links simply wrap.
(function () {
  const header = document.querySelector("header.site");
  const toggle = header?.querySelector(".menu-toggle");
  if (!toggle) return;
  const parts = [...header.querySelectorAll(":scope > nav, :scope > .account")];
  parts.forEach((part, i) => { part.id ||= `site-menu-${i}`; });
  toggle.setAttribute("aria-controls", parts.map((part) => part.id).join(" "));
  toggle.hidden = false;
  header.classList.add("menu-ready");
  toggle.addEventListener("click", () => {
    const open = header.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Close menu" : "Menu";
  });
})();
