// The image form (the image job): dropped PNG / JPEG images -> DICOM Secondary Capture files,
// patient and study from a dropped DICOM file or typed in.
import { clearFieldErrors, formControls } from "./field-errors.js";

/**
 * @param {HTMLFormElement} form
 * @param {(options: object) => void} onSubmit
 */
export function setupImageForm(form, onSubmit) {
  const reference = form.elements.namedItem("reference");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const data = new FormData(form);
    const options = { photometric: String(data.get("photometric") ?? "auto"), modality: String(data.get("modality") ?? "OT") };
    for (const text of ["patientName", "patientId", "studyDescription", "seriesDescription", "reference"]) {
      const value = String(data.get(text) ?? "").trim();
      if (value) options[text] = value;
    }
    onSubmit(options);
  });
  return {
    ...formControls(form),
    /** The DICOM inputs whose patient and study can be copied (names). */
    setReferences(names) {
      const none = Object.assign(document.createElement("option"), { value: "", textContent: "none (the fields below)" });
      reference.replaceChildren(none, ...names.map((name) => Object.assign(document.createElement("option"), { value: name, textContent: name })));
    },
  };
}
