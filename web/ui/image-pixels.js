// The browser's own image decoder for the image job: a PNG or JPEG Blob decoded by
// createImageBitmap (no colour-space conversion, alpha not premultiplied) and handed to
// Python as Netpbm PAM (P7), a format dicomforge.images reads without any codec:
// RGB when every pixel is opaque, RGB_ALPHA otherwise (Python drops alpha and says so).
// Decoders give 8 bits per sample: a 16-bit PNG is reduced here (the command line keeps 16).

/**
 * @param {Blob} blob  a PNG or JPEG file
 * @returns {Promise<Blob>}  the same pixels as a PAM file
 */
export async function decodedAsPam(blob) {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height).data;
  let opaque = true;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) { opaque = false; break; }
  let pixels = rgba;
  if (opaque) {
    pixels = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      pixels[j] = rgba[i];
      pixels[j + 1] = rgba[i + 1];
      pixels[j + 2] = rgba[i + 2];
    }
  }
  const header = `P7\nWIDTH ${width}\nHEIGHT ${height}\nDEPTH ${opaque ? 3 : 4}\nMAXVAL 255\nTUPLTYPE ${opaque ? "RGB" : "RGB_ALPHA"}\nENDHDR\n`;
  return new Blob([header, pixels], { type: "image/x-portable-arbitrarymap" });
}
