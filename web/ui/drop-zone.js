// Drop zone + pickers: hands the chosen files, with their paths, to a callback.
// Files dropped anywhere on the page count (the dashed box is only where to aim): the
// browser never opens a dropped file in place of the app. Dropped folders are walked
// recursively (FileSystemDirectoryEntry); the folder picker (webkitdirectory) gives each
// file its relative path.

/** @typedef {{name: string, data: File}} PickedFile  name: the path within what was dropped */

/** Every file under a dropped entry, depth first, with its path. */
async function walk(entry, prefix = "") {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{ name: prefix + entry.name, data: file }];
  }
  const reader = entry.createReader();
  const children = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject)); // at most 100 a call
    if (!batch.length) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((child) => walk(child, `${prefix}${entry.name}/`)));
  return nested.flat();
}

/** The files of a drop event, folders expanded. */
async function droppedFiles(dataTransfer) {
  const entries = [...(dataTransfer?.items ?? [])].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.length) return [...(dataTransfer?.files ?? [])].map((file) => ({ name: file.name, data: file }));
  return (await Promise.all(entries.map((entry) => walk(entry)))).flat();
}

/**
 * @param {HTMLElement} zone  the drop target
 * @param {HTMLInputElement[]} pickers  file inputs (one may have webkitdirectory)
 * @param {(files: PickedFile[]) => void} onFiles
 */
export function setupDropZone(zone, pickers, onFiles) {
  const page = zone.ownerDocument;
  const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  const highlight = (on) => {
    zone.classList.toggle("dragover", on);
    page.body.classList.toggle("dragover", on);
  };
  page.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault(); // (else the browser would open the file instead of the app)
    event.dataTransfer.dropEffect = "copy";
    highlight(true);
  });
  page.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget) highlight(false); // left the window
  });
  page.addEventListener("drop", async (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    highlight(false);
    const files = await droppedFiles(event.dataTransfer);
    if (files.length) onFiles(files);
  });
  for (const picker of pickers) {
    picker.addEventListener("change", () => {
      const files = [...(picker.files ?? [])].map((file) => ({ name: file.webkitRelativePath || file.name, data: file }));
      if (files.length) onFiles(files);
      picker.value = "";
    });
  }
}
