// An image editor's page embedding dicomforge through web/api.js: the demo a person uses
// (editor.js), and the scenario tests/e2e/api.spec.js drives through the same API.
import { createDicomforge } from "../../api.js";
import { setupEditor } from "./editor.js";

const log = document.querySelector("#log");
const dicomforge = createDicomforge();
setupEditor(dicomforge);

/** What the test drives: export overlays for in-memory masks, convert an in-memory volume. */
window.editorScenario = async ({ dicom, masks, volume }) => {
  const df = await dicomforge;
  const progress = [];
  const overlaid = await df.addOverlays(dicom, masks, { type: "R" }, { onProgress: (p) => progress.push(p.done) });
  const series = await df.volumeToSeries([volume], { modality: "MR", seriesDescription: "from editor" });
  const preview = await df.renderPreview(overlaid.files[0], { preset: "lung" });
  const zip = await df.zip(series.files);
  let rejected = null;
  try {
    await df.volumeToSeries([{ name: "broken.nii", data: new Uint8Array(10) }]);
  } catch (error) {
    rejected = { name: error.name, file: error.file, message: error.message };
  }
  log.textContent = `${overlaid.files.length} overlaid, ${series.files.length} slices`;
  return {
    info: df.info,
    progress,
    overlaid: overlaid.files.map((f) => ({ name: f.name, data: Array.from(f.data) })),
    series: series.files.map((f) => f.name),
    preview: { width: preview.width, height: preview.height, bytes: preview.rgba.length, window: preview.window },
    zipSize: zip.size,
    rejected,
  };
};
