// Painting one preview onto the viewer's canvas: stored values through the display table
// (grey) or RGB as is (colour, palette colour), the overlay planes on top at the chosen
// opacity, and the whole turned as Python's `orientation` says (transpose, then mirror) so
// that it reads as radiologists expect. The edge letters are the caller's (markers).

const TYPED = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array };

/** A typed view of a preview result's stored values (little-endian, as the browser is). */
export function storedValues(value) {
  const Type = TYPED[value.dtype] ?? Uint8Array;
  const bytes = value.pixels;
  return new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
}

const rgba32 = ([r, g, b, a]) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;

/** Whether a preview is shown as colour (RGB pixels, no display table). */
export const isColour = (value) => value.lut == null; // (Python's None arrives as undefined)

/** The image's pixels as RGBA words, in stored orientation. */
function imageWords(value, values, lut, out) {
  if (isColour(value)) {
    const rgb = value.pixels;
    for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = rgba32([rgb[j], rgb[j + 1], rgb[j + 2], 255]);
    return;
  }
  const table = new Uint32Array(lut.length);
  for (let k = 0; k < lut.length; k++) table[k] = rgba32([lut[k], lut[k], lut[k], 255]);
  const offset = value.lutOffset;
  for (let i = 0; i < out.length; i++) out[i] = table[values[i] - offset];
}

/** The overlay planes not in *hidden* over the image bytes, blended at *opacity* (0-1). */
function drawOverlays(value, hidden, opacity, bytes) {
  const a = Math.round(Math.min(Math.max(opacity, 0), 1) * 255);
  if (!a) return;
  for (const plane of value.overlays ?? []) {
    if (hidden.has(plane.group)) continue;
    const [r, g, b] = plane.color;
    const bits = plane.bits;
    for (let i = 0, j = 0; i < bits.length; i++, j += 4) {
      if (!bits[i]) continue;
      bytes[j] = (r * a + bytes[j] * (255 - a) + 127) / 255;
      bytes[j + 1] = (g * a + bytes[j + 1] * (255 - a) + 127) / 255;
      bytes[j + 2] = (b * a + bytes[j + 2] * (255 - a) + 127) / 255;
    }
  }
}

/**
 * The canvas transform that shows a columns x rows image turned by *orientation*
 * ({transpose, flipH, flipV}); returns [width, height, a, b, c, d, e, f] of the shown image.
 */
export function turn(columns, rows, { transpose = false, flipH = false, flipV = false } = {}) {
  if (!transpose) return [columns, rows, flipH ? -1 : 1, 0, 0, flipV ? -1 : 1, flipH ? columns : 0, flipV ? rows : 0];
  // shown x = stored y (mirrored by flipH), shown y = stored x (mirrored by flipV)
  return [rows, columns, 0, flipV ? -1 : 1, flipH ? -1 : 1, 0, flipH ? rows : 0, flipV ? columns : 0];
}

/**
 * Paint *value* (a preview result) onto *canvas*.
 * @param {HTMLCanvasElement} canvas
 * @param {{value: object, values: ArrayLike<number>|null, lut: Uint8Array|null, hidden: Set<number>, opacity: number}} view
 */
export function paintPreview(canvas, { value, values, lut, hidden, opacity }) {
  const { rows, columns } = value;
  const source = new OffscreenCanvas(columns, rows);
  const image = new ImageData(columns, rows);
  imageWords(value, values, lut, new Uint32Array(image.data.buffer));
  drawOverlays(value, hidden, opacity, image.data);
  source.getContext("2d").putImageData(image, 0, 0);
  const [width, height, ...matrix] = turn(columns, rows, value.orientation);
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(...matrix);
  ctx.drawImage(source, 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
}
