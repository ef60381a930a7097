// The order the viewer steps through images: series by series (as they first appear), and
// within a series by position along the slice normal, then Instance Number, then name (the
// order of the slices in the body, whatever order the files were dropped in).

const byName = new Intl.Collator(undefined, { numeric: true }).compare;
const number = (v) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Compare two optional numbers: present ones first, ascending. */
function compareOptional(a, b) {
  if (a === null || b === null) return (a === null) - (b === null);
  return a - b;
}

/**
 * @template {{name: string}} T
 * @param {T[]} images  @param {(image: T) => {seriesInstanceUid?: string, position?: number, instanceNumber?: number}|undefined} infoOf
 * @returns {T[]} the images in viewing order
 */
export function viewingOrder(images, infoOf) {
  const groups = new Map();
  for (const image of images) {
    const key = infoOf(image)?.seriesInstanceUid || `\u0000${image.name}`;
    groups.set(key, [...(groups.get(key) ?? []), image]);
  }
  const ordered = [];
  for (const members of groups.values()) {
    ordered.push(
      ...members.sort((a, b) => {
        const [x, y] = [infoOf(a) ?? {}, infoOf(b) ?? {}];
        return compareOptional(number(x.position), number(y.position))
          || compareOptional(number(x.instanceNumber), number(y.instanceNumber))
          || byName(a.name, b.name);
      }),
    );
  }
  return ordered;
}
