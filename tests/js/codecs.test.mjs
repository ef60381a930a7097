// The worker's codec glue (web/worker/codecs.js) that runs before any codec: JPEG marker work.
// The codecs' pixels themselves are checked in Pyodide (tests/py/dicom/test_codecs.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CODEC_FAMILIES, asUntransformedRgb, jpegPrecision } from "../../web/worker/codecs.js";
import { nodeCodecs } from "../pyodide/node-codecs.mjs";

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
  const problems = await nodeCodecs().ensure([...CODEC_FAMILIES, "mpeg4"], (family, decode) => registered.push([family, typeof decode]));
  assert.deepEqual(problems, []);
  assert.deepEqual(registered.map(([f]) => f).sort(), [...CODEC_FAMILIES].sort());
  assert.ok(registered.every(([, kind]) => kind === "function"));
});

/** What Python hands a decoder: objects whose bytes `getBuffer` lends (as a PyProxy does). */
const lent = (bytes) => ({ getBuffer: () => ({ data: bytes, release() {} }) });

test("a codec that stopped on a damaged frame is replaced; the next good frame decodes, nothing hangs", async () => {
  const { createRequire } = await import("node:module");
  const charls = await createRequire(import.meta.url)("@cornerstonejs/codec-charls/wasmjs")({ print() {}, printErr() {} });
  const [width, height] = [256, 192];
  const raw = new Uint8Array(width * height * 2).map((_, i) => (i % 2 ? (i >> 9) & 0x0f : (i * 7) & 0xff));
  const encoder = new charls.JpegLSEncoder();
  encoder.getDecodedBuffer({ width, height, bitsPerSample: 16, componentCount: 1 }).set(raw);
  encoder.encode();
  const good = encoder.getEncodedBuffer().slice();
  encoder.delete();
  // the header alone: CharLS throws a C++ exception, after which its instance is not to be trusted
  // (its stack is never unwound: a later damaged frame can keep it busy for many seconds)
  const bad = good.slice(0, 40);

  let decode;
  await nodeCodecs().ensure(["jpeg-ls"], (_, d) => (decode = d));
  const run = (stream, out = new Uint8Array(raw.length)) => decode(lent(stream), lent(out), height, width, 1, 16, false, "MONOCHROME2");
  for (let i = 0; i < 100; i++) {
    // each time on a fresh instance: the one that threw is never used again
    assert.throws(() => run(bad), { message: "the codestream is damaged (the codec stopped on it)" });
    assert.throws(() => run(bad), { message: "the codestream is damaged (the codec stopped on it)" });
    const out = new Uint8Array(raw.length);
    assert.equal(run(good, out), "");
    assert.deepEqual(out, raw);
  }
});

test("a JPEG Lossless parser's own words never reach the user", async () => {
  const { readFileSync } = await import("node:fs");
  // a frame the fuzzer made: jpeg-lossless-decoder-js fails on it with a TypeError
  const file = readFileSync(new URL("../data/jpeg_lossless_damaged.dcm", import.meta.url));
  const start = file.indexOf(Buffer.from([0xff, 0xd8, 0xff]));
  const stream = new Uint8Array(file.subarray(start, file.lastIndexOf(Buffer.from([0xff, 0xd9])) + 2));
  let decode;
  await nodeCodecs().ensure(["jpeg-lossless"], (_, d) => (decode = d));
  assert.throws(() => decode(lent(stream), lent(new Uint8Array(100 * 100 * 3)), 100, 100, 3, 8, false, "RGB"),
    { message: "the codestream is damaged (the JPEG Lossless decoder stopped on it)" });
});
