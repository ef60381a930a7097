// The embedding API for image editors: client-side DICOM export, no DOM dependencies.
//
//   import { createDicomforge } from "dicomforge";       // or the built dist-embed/dicomforge.js
//   const df = await createDicomforge({ baseUrl });   // resolves when the worker is ready
//   df.info;    // { pyodide, python, pydicom, dicomforge, backend }
//   await df.volumeToSeries(inputs, { modality: "CT", seriesDescription: "x" }, { onProgress, signal });
//   await df.volumeToSeries(inputs, options, { zip: { compression: "STORE" } });  // -> { zip: { blob, entries } }
//   await df.addOverlays(dicomInputs, masks, { type: "R", removeGroups: ["6000"] }, { onProgress, signal });
//   await df.transcode(dicomInputs, { to: "explicit" });               // -> files (decompressed, deflated, RLE)
//   await df.toZarr(inputs, { compressor: "blosc" }, { zip: {} });      // -> { zip } a Zarr v3 zip store
//   await df.exportVolume(inputs, { format: "nifti" });                 // -> files (.nii.gz, .nii, .nrrd, .mha)
//   await df.toSegmentation(dicomInputs, labelMapOrMasks, { names: ["Liver"] }); // -> files: one DICOM SEG
//   await df.describe(inputs);                                          // -> [{ file, value }]
//   await df.renderPreview(input, { frame, center, width, preset });    // -> { width, height, rgba, window, presets }
//   await df.inspect(dicomInput, { format: "tree" });                  // -> { part10, elements } (or { text })
//   await df.toJson(dicomInputs, { bulk: "inline" });                   // -> files: <stem>.json (+ bulk files)
//   await df.fromJson(jsonInputs);                                      // -> files: <stem>.dcm
//   await df.modify(dicomInputs, { edits: [{ op: "set", path: "PatientName", value: "X" }] });  // -> files
//   await df.deidentify(dicomInputs, { dates: "shift", writeMapping: true });  // -> files (+ report, mapping)
//   await df.imageToDicom(imageInputs, { reference, patientName });    // -> files (PNG/JPEG/PAM -> SC)
//   await df.openArchives(inputs);                                      // -> { files, errors }: zips' entries
//   await df.zip(files, { compression: "STORE" });                      // -> Blob
//   df.terminate();
//   const pacs = createDicomweb({ url: "/dicom-web", authorization });  // DICOMweb, no worker needed:
//   await pacs.store(files, { batch: 10, onProgress, signal });          // -> [{ file, sopInstanceUid, ok, message }]
//   await pacs.searchStudies({ PatientID: "123" }); await pacs.retrieveSeries(study, series);  // -> files
//
// Options are the jobs' (web/worker/contract.js), in camelCase; a name that is not one of the
// job's (a snake_case one, or misspelt) rejects with the list of valid names. Inputs are `File`s
// or `{ name, data: ArrayBuffer | Uint8Array }`. `baseUrl` is where the app's pyodide/, wheels/
// and py/ folders are served (its own origin; nothing else is fetched). Failures reject with
// an Error whose `name` is "DicomForgeError", carrying `file` and `message`.
import { DicomForgeError, startWorker, zipEntryBlob } from "./worker/client.js";
import { DicomwebError, createDicomweb } from "./net/dicomweb.js";

/** The job's outputs, or a rejection when it produced nothing because every input failed. */
function outputs(result) {
  const count = result.zip ? result.zip.entries.length : result.files.length;
  if (!count && result.errors.length) throw new DicomForgeError(result.errors[0]);
  const zipped = result.zip ? { zip: result.zip } : {};
  return { files: result.files, ...zipped, warnings: result.warnings, errors: result.errors };
}

const isInput = (value) => value instanceof Blob || (value && typeof value.name === "string" && "data" in value);

/**
 * Start dicomforge in a Web Worker.
 * @param {{baseUrl?: string, packagesUrl?: string, firstJobHeap?: number}} [options]
 *   baseUrl: the folder holding pyodide/, wheels/ and py/ (default: beside this module in the
 *   embedding build, the app's base in the app). firstJobHeap: bytes of wasm heap written once
 *   after start-up so that the first job runs faster (default 192 MiB); 0 for a page that cannot
 *   spare the memory early.
 */
export async function createDicomforge({ baseUrl, packagesUrl, firstJobHeap } = {}) {
  const client = startWorker({ baseUrl, packagesUrl, firstJobHeap });
  const ready = await client.ready;
  const info = Object.freeze({
    pyodide: ready.pyodide, python: ready.python, pydicom: ready.pydicom,
    dicomforge: ready.dicomforge, backend: ready.backend,
  });
  return {
    info,
    /**
     * Volumes (NIfTI, NRRD, MetaImage, VTK, DICOM series) -> one DICOM file per slice.
     * @param {Array<File|{name: string, data: ArrayBuffer|Uint8Array}>} inputs
     * @param {import("./worker/contract.js").SeriesOptions} [options]
     * @param {{onProgress?: Function, signal?: AbortSignal, zip?: {compression?: "STORE"|"DEFLATE"}}} [control]
     *   zip: get one zip archive (`{ blob, entries }`, built while the job runs) instead of `files`;
     *   `zipEntryBlob(zip, entry)` reads one file back out of it.
     */
    async volumeToSeries(inputs, options = {}, control = {}) {
      return outputs(await client.run("series", inputs, options, control));
    },
    /**
     * Overlay planes into DICOM files, from a label-map input or per-file masks
     * (`{ [sopInstanceUid]: Uint8Array }`, rows*columns bytes per frame, nonzero = set).
     * Existing planes: `options.removeGroups` (e.g. `["6000"]`) or `options.replace: true`
     * removes them first (new planes take the freed groups); with `masks` null, only removes.
     * @param {import("./worker/contract.js").OverlayOptions} [options]  (masks are the 2nd argument)
     * `control` as for volumeToSeries (`zip` included).
     */
    async addOverlays(dicomInputs, masks, options = {}, control = {}) {
      const labelMap = isInput(masks) ? [masks] : [];
      const jobOptions = labelMap.length || masks == null ? options : { ...options, masks };
      return outputs(await client.run("overlay", [...dicomInputs, ...labelMap], jobOptions, control));
    },
    /**
     * DICOM files in another transfer syntax (`to`: "explicit", "implicit", "deflated", "rle"):
     * JPEG, JPEG-LS, JPEG 2000, HTJ2K and RLE inputs decoded, one file per input under its name.
     * @param {import("./worker/contract.js").ConvertOptions} [options]
     * `control` as for volumeToSeries (`zip` included).
     */
    async transcode(dicomInputs, options = {}, control = {}) {
      return outputs(await client.run("convert", dicomInputs, options, control));
    },
    /**
     * Volumes (DICOM series, NIfTI, NRRD, MetaImage, VTK, Zarr stores) -> Zarr v3 stores (OME-Zarr
     * 0.5; a DICOM series' attributes kept): one file per store entry, or with `control.zip` the
     * Zarr zip store itself (one volume) as `{ zip: { blob, entries } }`.
     * @param {import("./worker/contract.js").ZarrOptions} [options]
     */
    async toZarr(inputs, options = {}, control = {}) {
      return outputs(await client.run("zarr", inputs, options, control));
    },
    /**
     * Volumes -> NIfTI-1 (`format`: "nifti" .nii.gz, "nii"), NRRD ("nrrd") or MetaImage ("mha"),
     * one file per volume named after its input. A Zarr store (`.zarr.zip`) is an input like any.
     * @param {import("./worker/contract.js").ExportOptions} [options]
     */
    async exportVolume(inputs, options = {}, control = {}) {
      return outputs(await client.run("export", inputs, options, control));
    },
    /**
     * A DICOM Segmentation of the images: from a label-map input on their grid, or from per-image
     * masks (`{ [sopInstanceUid]: Uint8Array }`: label values per pixel, rows*columns*frames; or a
     * list of binary masks, one per segment). One file (`<name>_seg.dcm`) in `files`.
     * @param {import("./worker/contract.js").SegOptions} [options]  (masks are the 2nd argument)
     */
    async toSegmentation(dicomInputs, masks, options = {}, control = {}) {
      const labelMap = isInput(masks) ? [masks] : [];
      const jobOptions = labelMap.length ? options : { ...options, masks };
      return outputs(await client.run("seg", [...dicomInputs, ...labelMap], jobOptions, control));
    },
    /**
     * What each input is: a DICOM header summary or a volume's geometry (contract.js DicomValue,
     * VolumeValue), in input order; inputs no reader recognises are in `errors`.
     * @returns {Promise<{results: Array<{file: string, value: object}>, errors: object[]}>}
     */
    async describe(inputs, control = {}) {
      const { results, errors } = await client.run("describe", inputs, {}, control);
      return { results, errors };
    },
    /**
     * One frame rendered the way a DICOM viewer shows it: `rgba` (width * height * 4 bytes), or
     * with `{ png: true }` a PNG file as `png` (a Blob) instead.
     * @param {import("./worker/contract.js").RenderOptions} [options]
     */
    async renderPreview(input, options = {}) {
      const result = await client.run("render", [input], options);
      if (result.errors.length) throw new DicomForgeError(result.errors[0]);
      const { value } = result.results[0];
      const [file] = result.files;
      return file ? { ...value, png: new Blob([file.data], { type: "image/png" }) } : value;
    },
    /**
     * What is in one DICOM file: its element tree (contract.js InspectNode[]), its dcmdump text, or
     * only whether it is DICOM. @param {import("./worker/contract.js").InspectOptions} [options]
     */
    async inspect(input, options = {}) {
      const result = await client.run("inspect", [input], options);
      if (result.errors.length) throw new DicomForgeError(result.errors[0]);
      return result.results[0].value;
    },
    /** DICOM files -> DICOM JSON. @param {import("./worker/contract.js").JsonOptions} [options] */
    async toJson(dicomInputs, options = {}, control = {}) {
      return outputs(await client.run("json", dicomInputs, options, control));
    },
    /** DICOM JSON (and its bulk data files) -> DICOM files. @param {import("./worker/contract.js").FromJsonOptions} [options] */
    async fromJson(jsonInputs, options = {}, control = {}) {
      return outputs(await client.run("from_json", jsonInputs, options, control));
    },
    /** Elements set, inserted or deleted; UIDs regenerated on request. @param {import("./worker/contract.js").ModifyOptions} [options] */
    async modify(dicomInputs, options = {}, control = {}) {
      return outputs(await client.run("modify", dicomInputs, options, control));
    },
    /**
     * De-identified copies (PS3.15 Annex E), named by their new SOP Instance UIDs, with a report
     * and (writeMapping) the sensitive mapping. @param {import("./worker/contract.js").DeidentifyOptions} [options]
     */
    async deidentify(dicomInputs, options = {}, control = {}) {
      return outputs(await client.run("deidentify", dicomInputs, options, control));
    },
    /**
     * Images -> DICOM Secondary Capture files of one series. Inputs are PNG or JPEG (decoded natively
     * by Python only as PNG: hand over what the browser decoded, as Netpbm PAM, for JPEG) or PAM;
     * `options.reference` names a DICOM input among them. @param {import("./worker/contract.js").ImageOptions} [options]
     */
    async imageToDicom(imageInputs, options = {}, control = {}) {
      return outputs(await client.run("image", imageInputs, options, control));
    },
    /** Each zip archive among *inputs* replaced by its entries (`{files, errors}`). */
    openArchives: (inputs, control) => client.openArchives(inputs, control),
    /** Zip host-supplied files (jszip, in the worker). @returns {Promise<Blob>} */
    zip: (files, options) => client.zip(files, options),
    terminate: () => client.terminate(),
  };
}

export { DicomForgeError, DicomwebError, createDicomweb, zipEntryBlob };
