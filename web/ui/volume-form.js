// The volume export form: the export job (NIfTI, NRRD, MetaImage) or the zarr job (a Zarr v3 zip store).
import { clearFieldErrors, formControls } from "./field-errors.js";

/** What each choice of the form's "format" runs: the job and its options. */
export const VOLUME_CHOICES = Object.freeze({
  nifti: { job: "export", options: { format: "nifti" } },
  nii: { job: "export", options: { format: "nii" } },
  nrrd: { job: "export", options: { format: "nrrd" } },
  mha: { job: "export", options: { format: "mha" } },
  zarr: { job: "zarr", options: { compressor: "zstd", level: 1 } },
  "zarr-blosc": { job: "zarr", options: { compressor: "blosc", level: 1, shuffle: "bitshuffle" } },
});

/**
 * @param {HTMLFormElement} form
 * @param {(run: {job: string, options: object}) => void} onSubmit
 */
export function setupVolumeForm(form, onSubmit) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const data = new FormData(form);
    const choice = VOLUME_CHOICES[String(data.get("format") ?? "nifti")] ?? VOLUME_CHOICES.nifti;
    const options = { ...choice.options };
    if (choice.job === "export" && choice.options.format !== "nifti" && choice.options.format !== "nii") {
      options.compress = data.has("compress");
    }
    if (choice.job === "export") options.float32 = data.has("float32");
    if (choice.job === "zarr") options.dicom = data.has("dicom");
    onSubmit({ job: choice.job, options });
  });
  return formControls(form);
}
