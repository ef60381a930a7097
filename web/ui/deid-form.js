// The de-identification form (the deidentify job): the PS3.15 Annex E basic profile and the
// options the user ticks; an earlier batch's mapping can be given back for the same new UIDs.
import { clearFieldErrors, formControls } from "./field-errors.js";

const FLAGS = ["retainUids", "retainPatientCharacteristics", "retainDeviceIdentity", "retainInstitutionIdentity",
  "cleanDescriptors", "retainSafePrivate", "writeMapping"];

/**
 * @param {HTMLFormElement} form
 * @param {(options: object) => void} onSubmit
 */
export function setupDeidForm(form, onSubmit) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const data = new FormData(form);
    const options = { dates: String(data.get("dates") ?? "remove") };
    for (const flag of FLAGS) options[flag] = data.has(flag);
    for (const text of ["patientName", "patientId", "uidPrefix"]) {
      const value = String(data.get(text) ?? "").trim();
      if (value) options[text] = value;
    }
    const mapping = data.get("mapping");
    if (mapping instanceof File && mapping.size) options.mapping = await mapping.text();
    onSubmit(options);
  });
  return formControls(form);
}
