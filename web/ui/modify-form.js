// The modify form (the modify job): edits typed one per line ("set PatientName=Anon",
// "insert StudyDescription=Research", "delete (0010,1010)"), UIDs regenerated on request.
import { clearFieldErrors, formControls } from "./field-errors.js";

/**
 * @param {HTMLFormElement} form
 * @param {(options: object) => void} onSubmit
 */
export function setupModifyForm(form, onSubmit) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const data = new FormData(form);
    const edits = String(data.get("edits") ?? "").split("\n").map((line) => line.trim()).filter(Boolean);
    onSubmit({ edits, regenerateUids: data.has("regenerateUids"), writeUidMap: data.has("regenerateUids") });
  });
  return formControls(form);
}
