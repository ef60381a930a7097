// The volume -> series options form: reads its fields into the job's options object.

const TEXT_FIELDS = ["series_description", "modality", "file_pattern", "patient_name", "patient_id", "study_description", "study_instance_uid"];
const NUMBER_FIELDS = ["series_number", "instance_start"];

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
    onSubmit(options, { compression: String(data.get("compression") ?? "STORE") });
  });
  return {
    /** Offer the dropped DICOM files as patient/study references. */
    setReferences(names) {
      const select = form.elements.namedItem("reference");
      select.replaceChildren(new Option("(none)", ""), ...names.map((n) => new Option(n, n)));
    },
    show(visible) {
      form.hidden = !visible;
    },
    setBusy(busy) {
      form.querySelector("button[type=submit]").disabled = busy;
    },
  };
}
