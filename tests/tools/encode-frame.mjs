// Encodes one frame's raw samples with a Cornerstone codec's encoder: the test fixtures
// tests/data/*.dcm (see make_fixtures.py). Usage:
//   node tests/tools/encode-frame.mjs htj2k|jpegls|jpegls-planar IN.raw OUT WIDTH HEIGHT BITS COMPONENTS SIGNED(0|1) [FRAMES]
// htj2k: OpenJPH, reversible (lossless), with the colour transform for three components;
// jpegls: CharLS lossless; jpegls-planar: the same in interleave mode 0 (IN holds the planes
// one after another). With FRAMES, IN holds that many frames and OUT.0, OUT.1, ... are written.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [kind, input, output, width, height, bits, components, signed, frames] = process.argv.slice(2);
const frameInfo = {
  width: Number(width), height: Number(height), bitsPerSample: Number(bits),
  componentCount: Number(components), isSigned: signed === "1", isUsingColorTransform: Number(components) === 3,
};
const codec = await require(kind === "htj2k" ? "@cornerstonejs/codec-openjph/wasmjs" : "@cornerstonejs/codec-charls/wasmjs")({
  print() {}, printErr() {},
});
const raw = readFileSync(input);
const count = Number(frames ?? 1);
const size = raw.length / count;
for (let k = 0; k < count; k++) {
  const encoder = kind === "htj2k" ? new codec.HTJ2KEncoder() : new codec.JpegLSEncoder();
  encoder.getDecodedBuffer(frameInfo).set(raw.subarray(k * size, (k + 1) * size));
  if (kind === "jpegls-planar") encoder.setInterleaveMode(0);
  encoder.encode();
  writeFileSync(frames ? `${output}.${k}` : output, encoder.getEncodedBuffer());
  encoder.delete();
}
