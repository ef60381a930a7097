// The worker's codec glue (web/worker/codecs.js) that runs before any codec: JPEG marker work.
// The codecs' pixels themselves are checked in Pyodide (tests/py/dicom/test_codecs.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CODEC_FAMILIES, Codecs, asUntransformedRgb, jpegPrecision } from "../../web/worker/codecs.js";

const segment = (marker, payload) => [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
const ascii = (text) => [...text].map((c) => c.charCodeAt(0));
const JFIF = segment(0xe0, [...ascii("JFIF"), 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
const SOF = (marker, precision) => segment(marker, [precision, 0, 8, 0, 8, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
const SOS = [0xff, 0xda, 0, 12, 3, 1, 0, 2, 0, 3, 0, 0, 63, 0, 0x12, 0x34, 0xff, 0xd9];
const stream = (...parts) => new Uint8Array([0xff, 0xd8, ...parts.flat()]);

test("jpegPrecision reads the frame header's sample precision", () => {
  assert.equal(jpegPrecision(stream(JFIF, SOF(0xc0, 8), SOS)), 8);
  assert.equal(jpegPrecision(stream(SOF(0xc1, 12), SOS)), 12);
  assert.equal(jpegPrecision(stream(segment(0xc4, [0, 1, 2]), SOF(0xc3, 16), SOS)), 16); // (DHT is no frame header)
  assert.equal(jpegPrecision(new Uint8Array([0xff, 0xd8, 0x00])), 0);
});

test("an RGB JPEG without an Adobe marker gets one saying 'no transform'; JFIF goes", () => {
  const input = stream(JFIF, SOF(0xc0, 8), SOS);
  const out = asUntransformedRgb(input);
  assert.deepEqual([...out.subarray(0, 4)], [0xff, 0xd8, 0xff, 0xee]);
  assert.deepEqual([...out.subarray(6, 11)], ascii("Adobe"));
  assert.equal(out[17], 0); // transform 0: the samples are RGB as they are
  assert.equal(Buffer.from(out).indexOf("JFIF"), -1);
  assert.deepEqual([...out.subarray(18)], [...SOF(0xc0, 8), ...SOS]); // the rest as it was
});

test("a full Adobe marker is the codestream's word; a short one (no transform byte) is replaced", () => {
  const full = stream(segment(0xee, [...ascii("Adobe"), 0, 100, 0, 0, 0, 0, 1]), SOF(0xc0, 8), SOS);
  assert.equal(asUntransformedRgb(full), full);
  const short = stream(segment(0xee, [...ascii("Adobe"), 0, 0, 0, 0, 0]), SOF(0xc0, 8), SOS);
  const out = asUntransformedRgb(short);
  assert.equal(out.length, short.length - 14 + 16);
  assert.equal(out[17], 0);
  assert.deepEqual([...out.subarray(18)], [...SOF(0xc0, 8), ...SOS]);
});

test("every codec family loads in Node and registers once; unknown families are ignored", async () => {
  const registered = [];
  const problems = await new Codecs().ensure([...CODEC_FAMILIES, "mpeg4"], (family, decode) => registered.push([family, typeof decode]));
  assert.deepEqual(problems, []);
  assert.deepEqual(registered.map(([f]) => f).sort(), [...CODEC_FAMILIES].sort());
  assert.ok(registered.every(([, kind]) => kind === "function"));
});
