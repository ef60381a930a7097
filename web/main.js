// Page entry: wires the UI pieces to the worker client.
import { startWorker } from "./worker/client.js";
import { offerDownload, zipName } from "./ui/download.js";
import { setupDropZone } from "./ui/drop-zone.js";
import { showDescriptions, showError, showWarning } from "./ui/input-list.js";
import { setupProgress } from "./ui/progress.js";
import { setupSeriesForm } from "./ui/series-form.js";
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
  },
  (error) => showFailed(status, error),
);

/** The dropped files, kept for the job the user then chooses. */
let inputs = [];

const seriesForm = setupSeriesForm(document.querySelector("#series-form"), async (options, zipOptions) => {
  seriesForm.setBusy(true);
  download.hidden = true;
  const signal = progress.start("Converting…");
  try {
    const result = await dicomforge.run("series", inputs, options, {
      signal,
      onProgress: (p) => progress.update(p, "slice"),
    });
    for (const error of result.errors) showError(list, error.file ?? "?", error.message);
    for (const { file, message } of result.warnings) showWarning(list, file ?? "job", message);
    if (!result.files.length) {
      progress.finish("Nothing was converted.");
      return;
    }
    progress.finish(`Zipping ${result.files.length} files…`);
    const zipStart = performance.now();
    const fileCount = result.files.length;
    const blob = await dicomforge.zip(result.files, { ...zipOptions, handOver: true });
    performance.mark("dicomforge-series-done", {
      detail: { ...result.timings, zip: Math.round(performance.now() - zipStart), files: fileCount },
    });
    progress.finish(`Done: ${fileCount} files.`);
    offerDownload(download, blob, zipName(options.series_description), `${fileCount} DICOM files`);
  } catch (error) {
    progress.finish(error.name === "Cancelled" ? "Cancelled." : `Failed: ${error.message}`);
    if (error.name !== "Cancelled") showError(list, error.file ?? "job", error.message);
  } finally {
    seriesForm.setBusy(false);
  }
});

setupDropZone(document.querySelector("#drop-zone"), document.querySelector("#file-input"), async (files) => {
  inputs = files.map((file) => ({ name: file.webkitRelativePath || file.name, data: file }));
  download.hidden = true;
  const signal = progress.start("Reading…");
  try {
    const result = await dicomforge.run("describe", inputs, {}, { signal, onProgress: (p) => progress.update(p) });
    showDescriptions(list, result);
    const kinds = result.results.map((r) => r.value.kind);
    seriesForm.setReferences(result.results.filter((r) => r.value.kind === "dicom").map((r) => r.file));
    seriesForm.show(kinds.includes("volume") || kinds.includes("dicom"));
    progress.finish(`${result.results.length} of ${inputs.length} inputs recognised.`);
  } catch (error) {
    progress.finish(`Failed: ${error.message}`);
    showError(list, error.file ?? "job", error.message);
  }
});
