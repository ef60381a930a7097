// A progress bar with counts ("3/10 files").

/** @param {HTMLElement} element  container with a <progress> and a .progress-text */
export function setupProgress(element) {
  const bar = element.querySelector("progress");
  const text = element.querySelector(".progress-text");
  return {
    update({ done, total, file }, unit = "files") {
      element.hidden = false;
      bar.max = total || 1;
      bar.value = done;
      text.textContent = `${done}/${total} ${unit}${file ? ` · ${file}` : ""}`;
    },
    hide() {
      element.hidden = true;
    },
  };
}
