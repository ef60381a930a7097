// The transcoding form (the convert job): which transfer syntax to write the DICOM inputs in.
import { clearFieldErrors, formControls } from "./field-errors.js";

/**
 * @param {HTMLFormElement} form
 * @param {(options: {to: string}) => void} onSubmit
 */
export function setupConvertForm(form, onSubmit) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    onSubmit({ to: String(new FormData(form).get("to") ?? "explicit") });
  });
  return formControls(form);
}
