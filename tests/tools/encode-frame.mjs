// Encodes one frame's raw samples with a Cornerstone codec's encoder: the test fixtures
// tests/data/*.dcm (see make_fixtures.py). Usage:
//   node tests/tools/encode-frame.mjs htj2k|jpegls-planar IN.raw OUT WIDTH HEIGHT BITS COMPONENTS SIGNED(0|1)
// htj2k: OpenJPH, reversible (lossless), with the colour transform for three components;
// jpegls-planar: CharLS lossless, interleave mode 0 (IN holds the planes one after another).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const [kind, input, output, width, height, bits, components, signed] = process.argv.slice(2);
const frameInfo = {
  width: Number(width), height: Number(height), bitsPerSample: Number(bits),
  componentCount: Number(components), isSigned: signed === "1", isUsingColorTransform: Number(components) === 3,
};
const codec = await require(kind === "htj2k" ? "@cornerstonejs/codec-openjph/wasmjs" : "@cornerstonejs/codec-charls/wasmjs")({
  print() {}, printErr() {},
});
const encoder = kind === "htj2k" ? new codec.HTJ2KEncoder() : new codec.JpegLSEncoder();
encoder.getDecodedBuffer(frameInfo).set(readFileSync(input));
if (kind !== "htj2k") encoder.setInterleaveMode(0);
encoder.encode();
writeFileSync(output, encoder.getEncodedBuffer());
encoder.delete();
