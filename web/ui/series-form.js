// The volume -> series options form: reads its fields into the job's options object.
import { clearFieldErrors, formControls } from "./field-errors.js";

const TEXT_FIELDS = ["seriesDescription", "modality", "filePattern", "patientName", "patientId", "studyDescription", "studyInstanceUid"];
const NUMBER_FIELDS = ["seriesNumber", "instanceStart"];

/**
 * @param {HTMLFormElement} form
 * @param {(options: object, zipOptions: {compression: string}) => void} onSubmit
 */
export function setupSeriesForm(form, onSubmit) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const options = {};
    for (const name of TEXT_FIELDS) options[name] = String(data.get(name) ?? "").trim();
    for (const name of NUMBER_FIELDS) options[name] = Number(data.get(name));
    const reference = String(data.get("reference") ?? "");
    if (reference) options.reference = reference;
    options.fromSource = data.has("fromSource");
    clearFieldErrors(form);
    onSubmit(options, { compression: String(data.get("compression") ?? "STORE") });
  });
  return {
    /** Offer the dropped DICOM files as patient/study references. */
    setReferences(names) {
      const select = form.elements.namedItem("reference");
      select.replaceChildren(new Option("(none)", ""), ...names.map((n) => new Option(n, n)));
    },
    ...formControls(form),
  };
}
