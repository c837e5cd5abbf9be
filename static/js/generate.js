// The generate form follows the chosen model: only its sizes, aspect ratios, thinking levels and
// grounding options are offered, and the input-image limit is counted as entries are picked.
// The server checks all of it again; this only saves the user a round trip.
(function () {
  const catalogue = JSON.parse(document.getElementById("catalogue").textContent);

  function setOptions(select, values, labels) {
    const current = select.value;
    select.replaceChildren(...values.map((value) => new Option(labels ? labels[value] : value, value)));
    if (values.includes(current)) select.value = current;
  }

  function update() {
    const form = document.getElementById("generate-form");
    if (!form) return;
    const model = catalogue.models[form.elements.model.value];
    if (!model) return;
    const size = form.elements.image_size, ratio = form.elements.aspect_ratio, thinking = form.elements.thinking_level;
    setOptions(size, model.sizes);
    if (!model.sizes.includes(size.value)) size.value = model.default_size;
    setOptions(ratio, model.aspect_ratios);
    const levels = [""].concat(model.thinking_levels);
    setOptions(thinking, levels, Object.fromEntries(levels.map((l) => [l, l || "Model default"])));
    form.querySelector("[data-when=sizes]").hidden = model.sizes.length < 2;
    form.querySelector("[data-when=thinking]").hidden = model.thinking_levels.length === 0;
    for (const name of ["web_search", "image_search"]) {
      const box = form.querySelector(`[data-when=${name}]`);
      box.hidden = !model[name];
      if (!model[name]) form.elements[name].checked = false;
    }
    const [w, h] = catalogue.ratios[ratio.value] || [1, 1];
    const preview = document.getElementById("ratio-preview");
    const scale = 40 / Math.max(w, h);
    preview.style.width = Math.max(4, w * scale) + "px";
    preview.style.height = Math.max(4, h * scale) + "px";
    for (const name of ["characters", "objects"]) {
      const limit = model.guidance[name];
      form.querySelector(`[data-max=${name}]`).textContent = limit === null ? "" : `best with up to ${limit} images`;
    }
    count(form, model);
  }

  function count(form, model) {
    let images = 0;
    const picked = { characters: 0, objects: 0 };
    for (const box of form.querySelectorAll("input[data-images]:checked")) {
      images += Number(box.dataset.images);
      picked[box.name] += Number(box.dataset.images);
    }
    // Only what the API refuses blocks the button; the model's guidance (catalogue) is a warning.
    const problems = [];
    if (images > model.max_input_images) problems.push(`remove ${images - model.max_input_images} reference image(s)`);
    const warnings = [];
    for (const name of ["characters", "objects"]) {
      const limit = model.guidance[name];
      if (limit !== null && picked[name] > limit) warnings.push(`${picked[name]} ${name.slice(0, -1)} images; this model keeps subjects best with up to ${limit}`);
    }
    if (model.guidance.inputs !== null && images > model.guidance.inputs) warnings.push(`this model works best with up to ${model.guidance.inputs} input images`);
    const counter = document.getElementById("image-counter");
    const notes = problems.concat(warnings);
    counter.textContent = `${images} of ${model.max_input_images} input images` + (notes.length ? ": " + notes.join(", ") + "." : "");
    counter.classList.toggle("over", problems.length > 0);
    counter.classList.toggle("warning", problems.length === 0 && warnings.length > 0);
    document.getElementById("generate-button").disabled = problems.length > 0;
    const n = Number(form.elements.count.value) || 1;
    const price = Number(model.prices[form.elements.image_size.value] || 0) * n;
    const batch = Number(model.batch_prices[form.elements.image_size.value] || 0) * n;
    document.getElementById("price").textContent = price
      ? `Interactive: about $${price.toFixed(3)}, in a minute or so. Batch: about $${batch.toFixed(3)}, ${catalogue.batch_turnaround}.` : "";
  }

  document.addEventListener("change", (event) => { if (event.target.closest("#generate-form")) update(); });
  document.addEventListener("input", (event) => { if (event.target.name === "count") update(); });
  document.addEventListener("htmx:afterSwap", (event) => {
    update();
    // A new job's card comes into view, on a phone too, where the jobs list sits below the form.
    if (event.detail.target.id === "jobs") event.detail.target.querySelector(".job")?.scrollIntoView({ block: "nearest" });
  });
  update();
})();
