// The list of inputs: what was found in each, or the error that concerns it.
import { collectOverlays, overlayText } from "./existing-overlays.js";

const fmt = (xs, digits = 3) => xs.map((x) => Number(x.toFixed(digits))).join(" × ");

/** One line of detail for a described input. */
export function describeValue(v) {
  if (v.kind === "dicom") {
    const who = [v.patientName, v.studyDescription, v.seriesDescription].filter(Boolean).join(" · ");
    return `DICOM · ${v.modality || "?"} ${v.sopClass} · ${v.columns}×${v.rows}×${v.frames} · ${v.transferSyntax}${who ? " · " + who : ""}`;
  }
  if (v.kind === "partner") return "data file of a two-file volume";
  if (v.kind === "image") return `${v.format.toUpperCase()} image (can become a DICOM Secondary Capture)`;
  const what = v.kind === "labelmap" ? `label map (labels ${v.labels.join(", ")})` : "volume";
  const axes = v.direction.map((axis) => `(${axis.map((c) => c.toFixed(3)).join(", ")})`).join(" ");
  return (
    `${v.format.toUpperCase()} ${what} · ${v.size.join("×")} ${v.dtype}${v.components > 1 ? ` ×${v.components}` : ""}` +
    ` · spacing ${fmt(v.spacing)} mm · axes ${axes}`
  );
}

function item(list, name, detail, state) {
  const li = document.createElement("li");
  li.className = state;
  li.dataset.file = name;
  const title = document.createElement("div");
  title.className = "name";
  title.textContent = name;
  const body = document.createElement("div");
  body.className = "detail";
  body.textContent = detail;
  li.append(title, body);
  list.append(li);
  return li;
}

/** Under a DICOM entry, one line per overlay plane its files already carry. */
function addOverlayLines(li, values) {
  for (const plane of collectOverlays(values)) {
    const line = document.createElement("div");
    line.className = "overlay";
    line.dataset.group = plane.group.toString(16).toUpperCase();
    line.textContent = overlayText(plane, values.length);
    li.append(line);
  }
}

/** Under a DICOM Segmentation, one line per segment: number, label, what it is, its colour. */
function addSegmentLines(li, segments) {
  for (const segment of segments) {
    const line = document.createElement("div");
    line.className = "segment";
    line.dataset.segment = String(segment.number);
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    if (segment.color) swatch.style.background = `rgb(${segment.color.join(",")})`;
    const what = segment.type?.[2] ? ` (${segment.type[2]})` : "";
    line.append(swatch, ` segment ${segment.number}: ${segment.label}${what}`);
    li.append(line);
  }
}

/** One line for a DICOM series of several files: what it is, with its slice count. */
function describeSeries(values) {
  const v = values[0];
  const who = [v.patientName, v.studyDescription].filter(Boolean).join(" · ");
  return (
    `DICOM series · ${v.modality || "?"} ${v.sopClass} · ${v.columns}×${v.rows} · ${values.length} files` +
    ` · ${v.transferSyntax}${who ? " · " + who : ""}`
  );
}

/**
 * List what each input is; DICOM files of one series share one entry with its file count.
 * @param {HTMLElement} list  @param {import("../worker/contract.js").JobResult} result
 */
export function showDescriptions(list, result) {
  list.replaceChildren();
  const series = new Map();
  for (const { file, value } of result.results) {
    if (value.store) continue; // a file of a dropped Zarr store: its zarr.json's line says what the store holds
    if (value.kind === "dicom" && value.seriesInstanceUid) {
      if (!series.has(value.seriesInstanceUid)) series.set(value.seriesInstanceUid, []);
      series.get(value.seriesInstanceUid).push({ file, value });
    } else {
      const li = item(list, file, describeValue(value), value.kind ?? "");
      if (value.kind === "dicom") addOverlayLines(li, [value]);
      if (value.segments) addSegmentLines(li, value.segments);
    }
  }
  for (const members of series.values()) {
    const [first] = members;
    if (members.length === 1) {
      addOverlayLines(item(list, first.file, describeValue(first.value), "dicom"), [first.value]);
    } else {
      const values = members.map((m) => m.value);
      const li = item(list, first.value.seriesDescription || "DICOM series", describeSeries(values), "dicom");
      li.dataset.file = first.file;
      li.dataset.files = String(members.length);
      addOverlayLines(li, values);
    }
  }
  showErrors(list, result.errors);
}

/**
 * Mark each failed input; files that failed for one and the same reason share one entry
 * ("20 files: is 256x256, the label map is 128x128") that lists their names.
 * @param {HTMLElement} list  @param {Array<{file?: string|null, message: string}>} errors
 */
export function showErrors(list, errors) {
  const byMessage = new Map();
  for (const error of errors) byMessage.set(error.message, [...(byMessage.get(error.message) ?? []), error.file ?? "?"]);
  for (const [message, files] of byMessage) {
    if (files.length < 3) {
      for (const file of files) showError(list, file, message);
      continue;
    }
    const li = item(list, `${files.length} files`, message, "error");
    li.dataset.file = files[0];
    li.dataset.files = String(files.length);
    const names = document.createElement("details");
    names.className = "files";
    const summary = document.createElement("summary");
    summary.textContent = "which files";
    names.append(summary, files.join(", "));
    li.append(names);
  }
}

/** Mark *name* with an error message (adds the entry when it is not listed). */
export function showError(list, name, message) {
  const existing = [...list.children].find((li) => li.dataset.file === name);
  if (!existing) return item(list, name, message, "error");
  existing.className = "error";
  existing.querySelector(".detail").textContent = message;
  return existing;
}

/** Add a warning line under *name*. */
export function showWarning(list, name, message) {
  const li = [...list.children].find((el) => el.dataset.file === name) ?? item(list, name, "", "");
  const note = document.createElement("div");
  note.className = "warning";
  note.textContent = `⚠ ${message}`;
  li.append(note);
}
