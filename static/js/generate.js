// The generate form follows the chosen model: only its sizes, aspect ratios, thinking levels and
// grounding options are offered, and input images are counted as entries are picked. Prices,
// guidance warnings and refusals are the server's (its quote); the server checks all again on send.
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

  // The price, the model's guidance warnings and any refusal come from the server's quote (the
  // same checks as creating the job, POST .../generations/quote/); here only the picked images are
  // counted for display.
  let quoteTimer = null, quoteSeq = 0;
  // The last answer, by request: the page swaps job cards every second, and each swap redraws the
  // form; an unchanged request is drawn from this instead of being asked again.
  let last = { key: null, result: null };

  function count(form, model) {
    let images = 0;
    for (const box of form.querySelectorAll("input[data-images]:checked")) images += Number(box.dataset.images);
    clearTimeout(quoteTimer);
    if (JSON.stringify(requestBody(form)) === last.key) { show(model, images, last.result); return; }
    document.getElementById("image-counter").textContent = `${images} of ${model.max_input_images} input images`;
    quoteTimer = setTimeout(() => quote(form, model, images), 150);
  }

  function requestBody(form) {
    const picked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((box) => box.value);
    const el = form.elements;
    return {
      // No prompt: neither the price nor the guidance depends on the words.
      model: el.model.value, image_size: el.image_size.value || null,
      aspect_ratio: el.aspect_ratio.value || null, thinking_level: el.thinking_level.value || null,
      grounding: { web: el.web_search.checked, image: el.image_search.checked },
      characters: picked("characters"), objects: picked("objects"), source_assets: picked("source_assets"),
      count: Number(el.count.value) || 1, delivery: el.delivery.value || "interactive",
    };
  }

  async function quote(form, model, images) {
    const key = JSON.stringify(requestBody(form));
    if (key !== last.key) {
      const seq = ++quoteSeq;
      let result;
      try {
        const response = await fetch(form.dataset.quoteUrl, {
          method: "POST", credentials: "same-origin", body: key,
          headers: { "Content-Type": "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
        });
        result = { ok: response.ok, answer: await response.json() };
      } catch (error) {
        return;  // no answer: the server checks everything again when the form is sent
      }
      if (seq !== quoteSeq) return;  // a newer quote is on its way
      last = { key, result };
    }
    show(model, images, last.result);
  }

  function show(model, images, { ok, answer }) {
    const counter = document.getElementById("image-counter"), price = document.getElementById("price");
    const base = `${images} of ${model.max_input_images} input images`;
    const refusal = ok ? null : (answer.error || { message: "This request would be refused." });
    const onImages = Boolean(refusal && ["characters", "objects", "source_assets"].includes(refusal.field));
    const warnings = refusal ? [] : answer.warnings.map((w) => w.message);
    // Only what the API refuses blocks the button; guidance is a warning.
    counter.textContent = onImages ? `${base}: ${refusal.message}` : base + (warnings.length ? ": " + warnings.join(" ") : "");
    counter.classList.toggle("over", onImages);
    counter.classList.toggle("warning", warnings.length > 0);
    document.getElementById("generate-button").disabled = Boolean(refusal);
    if (refusal) {
      price.textContent = onImages ? "" : refusal.message;
      return;
    }
    const at = (delivery) => Number(answer.estimates_usd[delivery]).toFixed(3);
    price.textContent = `Interactive: about $${at("interactive")}, in a minute or so. Batch: about $${at("batch")}, ${catalogue.batch_turnaround}.`;
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
