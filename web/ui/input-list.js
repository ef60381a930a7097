// The list of inputs with what was found in each, or the error that concerns it.

function item(list, name, detail, isError) {
  const li = document.createElement("li");
  li.className = isError ? "error" : "";
  li.dataset.file = name;
  const title = document.createElement("div");
  title.className = "name";
  title.textContent = name;
  const body = document.createElement("div");
  body.className = "detail";
  body.textContent = detail;
  li.append(title, body);
  list.append(li);
}

/** @param {HTMLElement} list  @param {import("../worker/protocol.js").JobResult} result */
export function showDescriptions(list, result) {
  for (const { file, value: v } of result.results) {
    const who = [v.patientName, v.studyDescription, v.seriesDescription].filter(Boolean).join(" · ");
    item(list, file, `${v.modality || "?"} ${v.sopClass} · ${v.columns}×${v.rows}×${v.frames} · ${v.transferSyntax}${who ? " · " + who : ""}`, false);
  }
  for (const error of result.errors) item(list, error.file ?? "?", error.message, true);
}

/** @param {HTMLElement} list  @param {string} name  @param {string} message */
export function showError(list, name, message) {
  item(list, name, message, true);
}
