// Drag-and-drop with previews for reference images, showing the per-kind limit as files are added.
(function () {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const zone = document.getElementById("dropzone");
  const previews = document.getElementById("previews");
  const slots = document.getElementById("slots");
  const button = document.getElementById("upload-button");
  const limit = Number(form.dataset.limit), existing = Number(form.dataset.existing);

  function show() {
    previews.replaceChildren();
    for (const file of input.files) {
      const img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = "Preview of " + file.name;
      previews.append(img);
    }
    const total = existing + input.files.length;
    slots.textContent = total + " of " + limit + " used" + (total > limit ? ": remove " + (total - limit) + " to stay within the limit." : ".");
    slots.classList.toggle("counter", true);
    slots.classList.toggle("over", total > limit);
    button.disabled = input.files.length === 0 || total > limit;
  }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => { event.preventDefault(); zone.classList.add("over"); }));
  ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    const files = new DataTransfer();
    for (const file of [...input.files, ...event.dataTransfer.files]) files.items.add(file);
    input.files = files.files;
    show();
  });
  show();
})();
