// Overlay planes already in dropped DICOM files (from the describe job): gathered per group,
// and told in one line each. No DOM here; the input list and the overlay form show them.

/** "6000" for group 0x6000. */
export const groupName = (group) => group.toString(16).toUpperCase().padStart(4, "0");

/**
 * The overlay planes of several described DICOM files, one entry per group and look
 * (size, type, label, description, frames), with the number of files that carry it.
 * @param {Array<{overlays?: object[]}>} values  describe results of kind "dicom"
 * @returns {Array<{group: number, rows: number, columns: number, type: string, label: string,
 *   description: string, frames: number, files: number}>}  in group order
 */
export function collectOverlays(values) {
  const planes = new Map();
  for (const value of values) {
    for (const o of value.overlays ?? []) {
      const key = [o.group, o.rows, o.columns, o.type, o.label, o.description, o.frames].join("|");
      const seen = planes.get(key);
      if (seen) seen.files += 1;
      else planes.set(key, { group: o.group, rows: o.rows, columns: o.columns, type: o.type, label: o.label,
        description: o.description, frames: o.frames, files: 1 });
    }
  }
  return [...planes.values()].sort((a, b) => a.group - b.group);
}

/**
 * One line for a plane: "overlay 6000 · 484×300 · G · label · description · 1 frame [· in 3 of 5 files]".
 * @param {ReturnType<typeof collectOverlays>[number]} plane  @param {number} [of] files in the entry
 */
export function overlayText(plane, of = 1) {
  const type = plane.type === "R" ? "R (ROI)" : plane.type === "G" ? "G (graphics)" : plane.type;
  const parts = [`overlay ${groupName(plane.group)}`, `${plane.columns}×${plane.rows}`, type];
  if (plane.label) parts.push(`“${plane.label}”`);
  if (plane.description) parts.push(plane.description);
  parts.push(`${plane.frames} frame${plane.frames === 1 ? "" : "s"}`);
  if (of > 1) parts.push(`in ${plane.files} of ${of} files`);
  return parts.join(" · ");
}
