// Runtime status line and the versions footer.

/** Show the worker's start-up state in *element*. */
export function showStarting(element) {
  element.textContent = "Starting Python…";
  element.className = "status";
}

/** @param {HTMLElement} element  @param {import("../worker/contract.js").ReadyInfo} info */
export function showReady(element, info) {
  const seconds = (info.timings.total / 1000).toFixed(1);
  element.textContent = `Ready (Python started in ${seconds} s).${info.warnings.map((w) => " " + w).join("")}`;
  element.className = "status ready";
  element.dataset.state = "ready";
}

/** @param {HTMLElement} element  @param {Error} error */
export function showFailed(element, error) {
  element.textContent = `Could not start: ${error.message}`;
  element.className = "status error";
  element.dataset.state = "error";
}

/** @param {HTMLElement} footer  @param {import("../worker/contract.js").ReadyInfo} info */
export function showVersions(footer, info) {
  footer.textContent =
    `Pyodide ${info.pyodide} · Python ${info.python} · pydicom ${info.pydicom} · ` +
    `dicomforge ${info.dicomforge} · backend ${info.backend}${info.backend === "js" && info.simd ? " (WebAssembly SIMD)" : ""}`;
}
