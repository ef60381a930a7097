// Drop zone + file picker: hands the chosen File objects to a callback.

/**
 * @param {HTMLElement} zone  the drop target
 * @param {HTMLInputElement} picker  a file input inside it
 * @param {(files: File[]) => void} onFiles
 */
export function setupDropZone(zone, picker, onFiles) {
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragover");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragover"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragover");
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });
  picker.addEventListener("change", () => {
    if (picker.files?.length) onFiles([...picker.files]);
    picker.value = "";
  });
}
