// Encodes raw samples as an HTJ2K codestream with Cornerstone's OpenJPH (the test fixtures
// of tests/data/htj2k_*.dcm; see make_htj2k.py). Usage:
//   node tests/tools/htj2k-encode.mjs IN.raw OUT.j2c WIDTH HEIGHT BITS COMPONENTS SIGNED(0|1)
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const factory = require("@cornerstonejs/codec-openjph/wasmjs");
const [input, output, width, height, bits, components, signed] = process.argv.slice(2);
const codec = await factory({ print() {}, printErr() {} });
const encoder = new codec.HTJ2KEncoder();
const raw = readFileSync(input);
const frameInfo = {
  width: Number(width), height: Number(height), bitsPerSample: Number(bits),
  componentCount: Number(components), isSigned: signed === "1", isUsingColorTransform: Number(components) === 3,
};
encoder.getDecodedBuffer(frameInfo).set(raw);
encoder.encode();
writeFileSync(output, encoder.getEncodedBuffer());
encoder.delete();
