// The overlay options form: label values, overlay type, UIDs.

/**
 * @param {HTMLFormElement} form
 * @param {(options: object) => void} onSubmit
 */
export function setupOverlayForm(form, onSubmit) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const options = { type: String(data.get("type")), keep_uids: data.has("keep_uids"), replace: data.has("replace") };
    const labels = String(data.get("labels") ?? "").split(",").map((s) => s.trim()).filter(Boolean).map(Number);
    if (labels.length) options.labels = labels;
    onSubmit(options);
  });
  return {
    show(visible) {
      form.hidden = !visible;
    },
    setBusy(busy) {
      form.querySelector("button[type=submit]").disabled = busy;
    },
  };
}
