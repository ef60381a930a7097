// Page entry: wires the UI pieces to the worker client.
import { startWorker, zipEntryBlob } from "./worker/client.js";
import { offerDownload, zipName } from "./ui/download.js";
import { setupDropZone } from "./ui/drop-zone.js";
import { viewingOrder } from "./ui/image-order.js";
import { showDescriptions, showError, showErrors, showWarning } from "./ui/input-list.js";
import { setupConvertForm } from "./ui/convert-form.js";
import { setupDeidForm } from "./ui/deid-form.js";
import { setupImageForm } from "./ui/image-form.js";
import { decodedAsPam } from "./ui/image-pixels.js";
import { setupInspector } from "./ui/inspector.js";
import { setupModifyForm } from "./ui/modify-form.js";
import { setupDicomwebPanel } from "./ui/dicomweb-panel.js";
import { setupOverlayForm } from "./ui/overlay-form.js";
import { setupProgress } from "./ui/progress.js";
import { setupSegForm } from "./ui/seg-form.js";
import { setupSeriesForm } from "./ui/series-form.js";
import { setupVolumeForm } from "./ui/volume-form.js";
import { setupViewer } from "./ui/viewer.js";
import { showFailed, showReady, showStarting, showVersions } from "./ui/status.js";

const status = document.querySelector("#runtime-status");
const footer = document.querySelector("#versions");
const list = document.querySelector("#input-list");
const download = document.querySelector("#download");
const progress = setupProgress(document.querySelector("#progress"));

showStarting(status);
const dicomforge = startWorker();
dicomforge.ready.then(
  (info) => {
    performance.mark("dicomforge-ready", { detail: info.timings });
    showReady(status, info);
    showVersions(footer, info);
    registerOffline();
  },
  (error) => showFailed(status, error),
);

/** A DICOM Segmentation drawn over the images it was made on (dropped, or just made), or null. */
let segmentation = null;

const viewer = setupViewer(document.querySelector("#viewer"), {
  async loadImage(image, frame) {
    // a job's output is read from its zip (a slice of the archive), never kept twice
    const input = image.entry ? { name: image.name, data: await zipEntryBlob(image.zip, image.entry) } : image;
    const seg = segmentation && !image.entry ? segmentation : null;
    const result = await dicomforge.run("preview", seg ? [input, seg] : [input], seg ? { frame, segmentation: seg.name } : { frame });
    if (result.errors.length) throw new Error(result.errors[0].message);
    return result.results[0].value;
  },
  displayLut: (frameInfo, window) => dicomforge.displayLut(frameInfo, window),
});

/**
 * In builds, a service worker precaches the app so it works offline after this visit.
 * Registered once Python is ready, so it never competes with the start-up downloads.
 */
function registerOffline() {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).then(
    (registration) => (document.body.dataset.offline = registration.active ? "ready" : "installing"),
    (error) => console.warn(`offline use unavailable: ${error.message}`),
  );
  navigator.serviceWorker.ready.then(() => (document.body.dataset.offline = "ready"));
}

/** The last job's output files (a zip and its entries), for the DICOMweb panel to send. */
let lastOutputs = null;
const dicomweb = setupDicomwebPanel(document.querySelector("#dicomweb"), {
  outputs: async () => Promise.all((lastOutputs?.entries ?? []).filter(isDicomEntry).map(async (entry) =>
    ({ name: entry.name, data: await zipEntryBlob(lastOutputs, entry) }))),
  open: (files) => useInputs(files),
  progress,
});

/** The inspector: one dropped DICOM file's elements (the inspect job), its DICOM JSON (the json job). */
const inspector = setupInspector(document.querySelector("#inspector"), {
  async inspect(name) {
    const result = await dicomforge.run("inspect", inputs.filter((input) => input.name === name), { format: "tree" });
    if (result.errors.length) throw new Error(result.errors[0].message);
    return result.results[0].value.elements;
  },
  async json(name) {
    const result = await dicomforge.run("json", inputs.filter((input) => input.name === name), {});
    if (result.errors.length) return showError(list, name, result.errors[0].message);
    const [file] = result.files;
    offerDownload(download, new Blob([file.data], { type: "application/dicom+json" }), file.name.split("/").pop(), "DICOM JSON (PS3.18 F.2)");
  },
});

/** The dropped files, kept for the job the user then chooses, and what describing them found. */
let inputs = [];
let described = new Map(); // input name -> describe value

const baseName = (name) => name.split("/").pop();
const stemOf = (name) => baseName(name).replace(/(\.nii|\.hdr|\.img)?\.gz$|\.[^.]*$/i, "");

/** The viewer's order of *images*, from what describing the inputs (of these names) found. */
function inViewingOrder(images, nameOf = (image) => image.name) {
  const byBase = new Map([...described].map(([name, value]) => [baseName(name), value]));
  return viewingOrder(images, (image) => described.get(nameOf(image)) ?? byBase.get(baseName(nameOf(image))));
}

/** The download's name: the series description (of the inputs, or the one chosen), else the first input's. */
function downloadName(description, suffix = "") {
  const dicom = [...described.values()].find((v) => v.kind === "dicom");
  const first = inputs.find((i) => described.get(i.name)?.kind !== "partner")?.name ?? "dicomforge";
  return zipName(description || dicom?.seriesDescription || stemOf(first)).replace(/\.zip$/, `${suffix}.zip`);
}

/**
 * Run an export job over the dropped inputs and offer its zip (built by the worker while
 * the job runs; the viewer reads the outputs back out of it).
 * @param {{job: string, options: object, zip: {compression: string}, fileName: string, unit: string, forms: Array}} run
 */
async function runExport({ job, options, zip, fileName, unit, form, forms, inputs: jobInputs = inputs }) {
  performance.mark(`dicomforge-${job}-start`);
  forms.forEach((f) => f.setBusy(true));
  download.hidden = true;
  const signal = progress.start("Working…");
  try {
    const result = await dicomforge.run(job, jobInputs, options, { signal, zip, onProgress: (p) => progress.update(p, unit) });
    showErrors(list, result.errors);
    for (const { file, message } of result.warnings) showWarning(list, file || "job", message);
    const fileCount = result.zip.entries.length;
    if (!fileCount) {
      progress.finish("Nothing was written.");
      return;
    }
    let blob = result.zip.blob;
    if (job === "seg" || DICOM_JOBS.has(job)) {
      lastOutputs = result.zip; // (DICOM outputs, a SEG too, can go to the PACS)
      dicomweb.setOutputs(true);
    }
    const failed = result.errors.length ? `, ${result.errors.length} failed` : "";
    if (job === "seg") {
      // the Segmentation: downloaded as itself, and drawn over the dropped images in the viewer
      const [only] = result.zip.entries;
      blob = await zipEntryBlob(result.zip, only);
      segmentation = { name: only.name, data: blob };
      const images = inputs.filter((input) => described.get(input.name)?.kind === "dicom");
      const frames = result.results[0]?.value.frames ?? 0;
      viewer.setImages(inViewingOrder(images), `Preview of ${only.name} over its images`, 0);
      progress.finish(`Done: ${only.name} (${frames} frames)${failed}.`);
      offerDownload(download, blob, only.name, "a DICOM Segmentation");
      performance.mark("dicomforge-seg-done", { detail: { ...result.timings, files: 1, zipBytes: blob.size } });
      return;
    }
    if (!DICOM_JOBS.has(job)) {
      // volume files: one is offered as itself (read out of the zip), several as the zip; a
      // Zarr store's zip is the store (a Zarr zip store)
      const [only] = result.zip.entries;
      const single = job === "export" && fileCount === 1;
      if (single) blob = await zipEntryBlob(result.zip, only);
      const name = single ? only.name : fileName;
      progress.finish(`Done: ${single ? only.name : `${fileCount} files`}${failed}.`);
      offerDownload(download, blob, name, job === "zarr" ? `a Zarr v3 store (${fileCount} entries)` : `${fileCount} file(s)`);
      performance.mark(`dicomforge-${job}-done`, { detail: { ...result.timings, files: fileCount, zipBytes: blob.size } });
      return;
    }
    const entries = result.zip.entries.filter(isDicomEntry).map((entry) => ({ name: entry.name, zip: result.zip, entry, series: job }));
    // a series job writes its files in order along the normal; overlays keep their inputs' names
    const outputs = job === "series" ? entries : inViewingOrder(entries);
    viewer.setImages(outputs, `Preview of ${fileName}`, job === "series" ? Math.floor(outputs.length / 2) : 0);
    progress.finish(`Done: ${entries.length} files${failed}.`);
    offerDownload(download, blob, fileName, `${entries.length} DICOM files${entries.length < fileCount ? " and a report" : ""}`);
    // the benchmarks time the job from these marks (start: the form was submitted)
    performance.mark(`dicomforge-${job}-done`, {
      detail: { ...result.timings, files: fileCount, wasmBytes: result.memory?.wasm, zipBytes: blob.size, inputs: result.inputs },
    });
  } catch (error) {
    progress.finish(error.name === "Cancelled" ? "Cancelled." : `Failed: ${error.message}`, false);
    // a problem with an option is said beside its field; the rest in the list of inputs
    const rest = error.kind === "OptionsError" ? form.showErrors(error.fields) : null;
    const unplaced = rest === null || Object.keys(error.fields ?? {}).length === 0 || Object.keys(rest).length > 0;
    if (error.name !== "Cancelled" && unplaced) showError(list, error.file || "job", error.message);
  } finally {
    forms.forEach((f) => f.setBusy(false));
  }
}

const seriesForm = setupSeriesForm(document.querySelector("#series-form"), (options, zip) =>
  runExport({
    job: "series", options, zip, fileName: downloadName(options.seriesDescription), unit: "slice",
    form: seriesForm, forms: allForms(),
  }),
);
const overlayForm = setupOverlayForm(document.querySelector("#overlay-form"), (options) =>
  runExport({
    job: "overlay", options, zip: { compression: "STORE" }, fileName: downloadName("", "_overlays"), unit: "file",
    form: overlayForm, forms: allForms(),
  }),
);
const convertForm = setupConvertForm(document.querySelector("#convert-form"), (options) =>
  runExport({
    job: "convert", options, zip: { compression: "STORE" }, fileName: downloadName("", `_${options.to}`), unit: "file",
    form: convertForm, forms: allForms(),
  }),
);
const volumeForm = setupVolumeForm(document.querySelector("#volume-form"), ({ job, options }) =>
  runExport({
    job, options, zip: { compression: "STORE" }, unit: job === "zarr" ? "chunk" : "volume",
    fileName: job === "zarr" ? downloadName("").replace(/\.zip$/, ".zarr.zip") : downloadName("", "_volumes"),
    form: volumeForm, forms: allForms(),
  }),
);
const segForm = setupSegForm(document.querySelector("#seg-form"), (options) =>
  runExport({ job: "seg", options, zip: { compression: "STORE" }, unit: "file", fileName: "", form: segForm, forms: allForms() }),
);
const deidForm = setupDeidForm(document.querySelector("#deid-form"), (options) =>
  runExport({
    job: "deidentify", options, zip: { compression: "STORE" }, unit: "file", fileName: "deidentified.zip",
    form: deidForm, forms: allForms(), inputs: dicomInputs(),
  }),
);
const imageForm = setupImageForm(document.querySelector("#image-form"), async (options) => {
  // the images decoded here, by the browser's own decoder (Python reads the pixels as PAM)
  const images = [];
  for (const input of inputs) {
    const value = described.get(input.name);
    if (value?.kind !== "image") continue;
    try {
      images.push({ name: input.name, data: value.format === "pam" ? input.data : await decodedAsPam(input.data) });
    } catch (error) {
      showError(list, input.name, `the browser cannot decode this image (${error.message})`);
    }
  }
  const reference = inputs.filter((input) => input.name === options.reference);
  runExport({
    job: "image", options, zip: { compression: "STORE" }, unit: "image", fileName: downloadName("", "_dicom"),
    form: imageForm, forms: allForms(), inputs: [...images, ...reference],
  });
});
const modifyForm = setupModifyForm(document.querySelector("#modify-form"), (options) =>
  runExport({
    job: "modify", options, zip: { compression: "STORE" }, unit: "file", fileName: downloadName("", "_modified"),
    form: modifyForm, forms: allForms(), inputs: dicomInputs(),
  }),
);
/** The inputs described as DICOM files (what the DICOM-only tools take). */
const dicomInputs = () => inputs.filter((input) => described.get(input.name)?.kind === "dicom");
const allForms = () => [seriesForm, overlayForm, convertForm, volumeForm, segForm, deidForm, imageForm, modifyForm];
/** The jobs whose outputs are DICOM files (previewed in the viewer; a report beside them is not). */
const DICOM_JOBS = new Set(["series", "overlay", "convert", "deidentify", "image", "modify"]);
const isDicomEntry = (entry) => !entry.name.endsWith(".json");

/** Take these inputs: describe each, show the forms that fit and the viewer. */
async function useInputs(dropped) {
  performance.mark("dicomforge-inputs"); // the page has the dropped files (the benchmarks start here)
  inputs = [];
  described = new Map();
  segmentation = null;
  download.hidden = true;
  // the forms show the choices the last inputs offered: hidden until these are described,
  // or a click meanwhile would run the new files with the old choices (another map's labels)
  allForms().forEach((form) => form.show(false));
  const signal = progress.start("Reading…");
  try {
    // a zip archive's entries are used as if dropped (its refused entries are listed as errors)
    const opened = await dicomforge.openArchives(dropped, { onProgress: (p) => progress.update(p, "entry") });
    inputs = opened.files;
    const result = await dicomforge.run("describe", inputs, {}, { signal, onProgress: (p) => progress.update(p) });
    described = new Map(result.results.map((r) => [r.file, r.value]));
    showDescriptions(list, { ...result, errors: [...opened.errors, ...result.errors] });
    const count = (kind) => result.results.filter((r) => r.value.kind === kind).length;
    const dicom = result.results.filter((r) => r.value.kind === "dicom");
    seriesForm.setReferences(dicom.map((r) => r.file));
    const volumes = count("volume") + count("labelmap");
    seriesForm.show(volumes > 0 || count("dicom") > 0);
    // overlays need DICOM files and exactly one label map (or, failing that, one volume),
    // or DICOM files that already carry overlays (to remove)
    const labelMaps = result.results.filter((r) => r.value.kind === "labelmap");
    const soleVolume = result.results.filter((r) => r.value.kind === "volume");
    // the label map: the one among the inputs, or failing that the one volume; named to the job,
    // so that another volume dropped beside it is an error for that file, not a second label map
    const labelMap = labelMaps.length === 1 ? labelMaps[0].file : labelMaps.length === 0 && volumes === 1 ? soleVolume[0].file : null;
    const hasOverlays = dicom.some((r) => r.value.overlays?.length);
    overlayForm.setSources({ labelMap, dicom: dicom.map((r) => r.value) });
    overlayForm.show(dicom.length > 0 && (labelMap !== null || hasOverlays));
    convertForm.show(dicom.length > 0);
    deidForm.show(dicom.length > 0);
    modifyForm.show(dicom.length > 0);
    inspector.setFiles(dicom.map((r) => r.file));
    imageForm.setReferences(dicom.map((r) => r.file));
    imageForm.show(count("image") > 0);
    volumeForm.show(volumes > 0 || count("dicom") > 0);
    segForm.setLabelMap(labelMap);
    segForm.show(dicom.length > 0 && labelMap !== null);
    // a dropped Segmentation is drawn over the dropped images it was made on
    const segInput = result.results.find((r) => r.value.format === "seg");
    segmentation = segInput ? inputs.find((input) => input.name === segInput.file) : null;
    const images = inputs.filter((input) => described.get(input.name)?.kind === "dicom")
      .map((input) => ({ ...input, series: described.get(input.name).seriesInstanceUid }));
    viewer.setImages(inViewingOrder(images));
    progress.finish(`${result.results.length} of ${inputs.length} inputs recognised.`);
    performance.mark("dicomforge-describe-done", {
      detail: { ...result.timings, inputs: inputs.length, readerBytes: result.inputs?.readerBytes },
    });
  } catch (error) {
    progress.finish(`Failed: ${error.message}`, false);
    showError(list, error.file ?? "job", error.message);
  }
}

setupDropZone(document.querySelector("#drop-zone"), [...document.querySelectorAll("#file-input, #folder-input")], useInputs);

document.querySelector("#sample-button").addEventListener("click", async () => {
  const { files } = await dicomforge.run("sample", []);
  await useInputs(files.map((f) => ({ name: f.name, data: f.data })));
});
