// The segmentation form (the seg job): DICOM images + one label map -> a DICOM SEG.
import { clearFieldErrors, formControls } from "./field-errors.js";

/**
 * @param {HTMLFormElement} form
 * @param {(options: object) => void} onSubmit
 */
export function setupSegForm(form, onSubmit) {
  let labelMap = null;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const data = new FormData(form);
    const names = String(data.get("names") ?? "").split(",").map((n) => n.trim()).filter(Boolean);
    const options = {
      type: String(data.get("type") ?? "binary"),
      algorithmType: String(data.get("algorithmType") ?? "MANUAL"),
      keepEmptyFrames: data.has("keepEmptyFrames"),
      seriesDescription: String(data.get("seriesDescription") ?? "").trim() || "Segmentation",
      labelMap,
    };
    const algorithmName = String(data.get("algorithmName") ?? "").trim();
    if (algorithmName) options.algorithmName = algorithmName;
    if (names.length) options.names = names;
    onSubmit(options);
  });
  return {
    ...formControls(form),
    /** The label map the Segmentation is made from (an input's name). */
    setLabelMap(name) {
      labelMap = name;
    },
  };
}
