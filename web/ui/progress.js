// A progress bar with counts ("slice 120/300") and a cancel button.

/** @param {HTMLElement} element  container with a <progress>, a .progress-text and a cancel <button> */
export function setupProgress(element) {
  const bar = element.querySelector("progress");
  const text = element.querySelector(".progress-text");
  const cancel = element.querySelector("button.cancel");
  let controller = null;
  cancel.addEventListener("click", () => controller?.abort());
  return {
    /** Show the bar for a new job; returns the AbortSignal the cancel button fires. */
    start(label) {
      controller = new AbortController();
      element.hidden = false;
      bar.removeAttribute("value");
      text.textContent = label;
      cancel.disabled = false;
      return controller.signal;
    },
    /** A new phase of the same job: a new label, the bar restarted, the same cancel signal. */
    phase(label) {
      if (!controller) return;
      bar.removeAttribute("value");
      text.textContent = label;
    },
    update({ done, total, file }, unit = "files") {
      // progress reaches the page through its own channel, so a last report may arrive
      // after the job's result: once finished, the final message stays
      if (!controller) return;
      bar.max = total || 1;
      bar.value = done;
      text.textContent = `${unit} ${done}/${total}${file ? ` · ${file}` : ""}`;
    },
    /** End the job's display: *done* (the default) fills the bar, otherwise it stops where it was. */
    finish(message, done = true) {
      controller = null;
      cancel.disabled = true;
      text.textContent = message;
      if (done) {
        if (!bar.hasAttribute("value")) bar.max = 1;
        bar.value = bar.max;
      }
    },
  };
}
