// Page entry: wires the UI pieces to the worker client.
import { startWorker } from "./worker/client.js";
import { setupDropZone } from "./ui/drop-zone.js";
import { showDescriptions, showError } from "./ui/input-list.js";
import { setupProgress } from "./ui/progress.js";
import { showFailed, showReady, showStarting, showVersions } from "./ui/status.js";

const status = document.querySelector("#runtime-status");
const footer = document.querySelector("#versions");
const list = document.querySelector("#input-list");
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

setupDropZone(document.querySelector("#drop-zone"), document.querySelector("#file-input"), async (files) => {
  const inputs = files.map((file) => ({ name: file.name, data: file }));
  try {
    const result = await dicomforge.run("describe", inputs, {}, { onProgress: (p) => progress.update(p) });
    showDescriptions(list, result);
  } catch (error) {
    showError(list, error.file ?? "job", error.message);
  } finally {
    progress.hide();
  }
});
