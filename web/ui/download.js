// A download link for a finished job's zip, with its size.

function humanSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/** Replace *container*'s content with a link that downloads *blob* as *fileName*. */
export function offerDownload(container, blob, fileName, summary = "") {
  const previous = container.querySelector("a[href^='blob:']");
  if (previous) URL.revokeObjectURL(previous.href);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.className = "button";
  link.textContent = `Download ${fileName} (${humanSize(blob.size)})`;
  const note = document.createElement("span");
  note.className = "download-summary";
  note.textContent = summary;
  container.replaceChildren(link, note);
  container.hidden = false;
}

/** A zip file name from a series description ("Brain T1" -> "Brain_T1.zip"). */
export function zipName(description) {
  const safe = (description || "series").replace(/[^\w.-]+/g, "_").replace(/^_+|_+$/g, "");
  return `${safe || "series"}.zip`;
}
