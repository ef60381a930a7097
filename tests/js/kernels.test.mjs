// The js backend's two forms (web/worker/kernels.js): every kernel with a WebAssembly SIMD
// part (kernels.wat) gives the bytes of its JavaScript loop, on hostile values, odd lengths,
// odd addresses and more than one chunk. The JavaScript loops are compared with the Python
// reference in Pyodide (tests/py/kernels/test_backends_identical.py, with SIMD installed:
// DICOMFORGE_JS_SIMD=0 runs them on the loops alone).
import assert from "node:assert/strict";
import { before, test } from "node:test";
import * as K from "../../web/worker/kernels.js";
import { compileKernels } from "../../web/build/wasm-kernels.mjs";

let wasm;
before(async () => {
  wasm = await compileKernels(process.cwd());
});

// Pyodide's buffers all live on one wasm heap, which withBytes relies on: the stand-ins
// here do too (one ArrayBuffer, a bump allocator reset by each comparison).
const HEAP = new ArrayBuffer(64 << 20);
let top = 0;

/** *bytes* copied onto the heap, at an odd address when *oddAddress* (a memoryview one byte
 * into its object), 8-aligned otherwise. */
function onHeap(bytes, oddAddress = false) {
  top = ((top + 7) & ~7) + (oddAddress ? 1 : 0);
  const view = new Uint8Array(HEAP, top, bytes.length);
  view.set(bytes);
  top += bytes.length;
  return view;
}
/** An input to place at an odd address when a kernel is called (placement is lazy: each
 * comparison starts the heap afresh). */
const odd = (bytes) => ({ oddBytes: bytes });

/** A stand-in for a PyProxy of a Python buffer: getBuffer gives a view, release is counted. */
const held = { count: 0 };
function proxy(bytes) {
  const view = bytes.oddBytes ? onHeap(bytes.oddBytes, true) : bytes.buffer === HEAP ? bytes : onHeap(bytes);
  return {
    getBuffer() {
      held.count++;
      return { data: view, c_contiguous: true, release: () => held.count-- };
    },
  };
}

function random(n, seed) {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const F32_EDGES = [0, -0, NaN, Infinity, -Infinity, 0.5, -0.5, 1.5, 2.5, -2.5, -3.5, 32766.5, 32767.5, -32768.5,
  -32769, 1e-45, 3.4e38, -3.4e38, 65535.5, 1, 7];
const bytesOf = (typed) => new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);

/** Run *kernel* (a function of fresh output bytes) without and with SIMD: the same bytes. */
function same(label, outLength, kernel) {
  top = 0;
  K.uninstallWasm();
  const expected = onHeap(new Uint8Array(outLength));
  const expectedResult = kernel(expected);
  assert.ok(K.installWasm(wasm), "the engine runs the SIMD kernels");
  const got = onHeap(new Uint8Array(outLength));
  const result = kernel(got);
  assert.deepEqual(got, expected, `${label}: SIMD bytes differ from the JS loop's`);
  assert.deepEqual(result, expectedResult, `${label}: results differ`);
  assert.equal(held.count, 0, `${label}: a buffer view was not released`);
}

const SIZES = [0, 1, 3, 7, 8, 15, 16, 17, 31, 1001, (1 << 20) / 2 + 37]; // (the last: over one chunk)

test("rescaleToInt16 (float32): half-way cases, NaN, infinities, overflow", () => {
  for (const n of SIZES) {
    const data = new Float32Array(n);
    const noise = new Float32Array(random(4 * n, n).buffer);
    for (let i = 0; i < n; i++) data[i] = i < F32_EDGES.length ? F32_EDGES[i] : noise[i];
    for (const [slope, intercept] of [[1, 0], [0.5, 0.25], [-3, 1000], [1e-3, -0.5], [2.5e9, -7]]) {
      for (const src of [bytesOf(data), odd(bytesOf(data))]) {
        same(`rescale n=${n} ${slope}/${intercept}`, 2 * n, (out) => K.rescaleToInt16(proxy(src), "float32", slope, intercept, proxy(out)));
      }
    }
  }
});

test("valueRange: float32 (NaN, infinities, both zeros) and 8- and 16-bit integers", () => {
  const zeros = new Float32Array([0, -0, 0, -0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const negFirst = new Float32Array([-0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const allNan = new Float32Array(40).fill(NaN);
  const cases = [bytesOf(zeros), bytesOf(negFirst), bytesOf(allNan), bytesOf(new Float32Array([Infinity, NaN, 5]))];
  for (const n of SIZES) {
    const f = new Float32Array(random(4 * n, n + 1).buffer);
    for (let i = 0; i < Math.min(n, F32_EDGES.length); i++) f[i * 3 % n] = F32_EDGES[i];
    cases.push(bytesOf(f));
  }
  for (const src of cases) {
    for (const skip of ["nan", "nonfinite"]) {
      same(`float32 range of ${src.length} bytes (${skip})`, 24, (out) => K.valueRange(proxy(odd(src)), "float32", proxy(out), skip));
    }
  }
  for (const n of SIZES.filter(Boolean)) {
    const src = random(2 * n, n + 2);
    for (const dtype of ["int8", "uint8", "int16", "uint16"]) same(`${dtype} range n=${n}`, 24, (out) => K.valueRange(proxy(odd(src)), dtype, proxy(out), "nan"));
  }
});

test("packBits / unpackBits, equalMask as bytes and bits (1, 2, 4-byte elements)", () => {
  for (const n of SIZES) {
    const mask = random(n, n + 3).map((b) => (b < 40 ? b : 0));
    same(`packBits n=${n}`, (n + 7) >> 3, (out) => K.packBits(proxy(odd(mask)), proxy(out)));
    const packed = random((n + 7) >> 3, n + 4);
    same(`unpackBits n=${n}`, n, (out) => K.unpackBits(proxy(odd(packed)), n, proxy(out)));
    for (const size of [1, 2, 4]) {
      const data = random(size * n, n + size).map((b, i) => (i % size ? b & 1 : b & 3)); // many matches
      const target = new Uint8Array(size).fill(0);
      target[0] = 1;
      for (const bits of [false, true]) {
        const length = bits ? (n + 7) >> 3 : n;
        same(`equalMask size ${size} n=${n} bits=${bits}`, length,
          (out) => K.equalMask(proxy(odd(data)), size, proxy(target), proxy(out), bits));
      }
    }
  }
});

test("byteswap, stored bits, grey to RGBA", () => {
  for (const n of SIZES) {
    const data = random(4 * n, n + 5);
    for (const size of [2, 4]) same(`byteswap ${size} n=${n}`, 4 * n, (out) => K.byteswap(proxy(odd(data)), proxy(out), size));
    for (const [bits, signed] of [[12, true], [12, false], [1, true], [15, false]]) {
      same(`stored bits ${bits} ${signed} n=${n}`, 2 * n, (out) => K.maskStoredBits(proxy(odd(data.subarray(0, 2 * n))), 2, bits, signed, proxy(out)));
    }
    same(`grey to RGBA n=${n}`, 4 * n, (out) => K.toRgba(proxy(odd(data.subarray(0, n))), 1, proxy(out)));
  }
});

test("lookups: a raw 16-bit table and a split window table", () => {
  const table = random(65536, 9);
  const high = new Int32Array(256).map((_, h) => (h - 128) * 97 - 300);
  const low = new Int32Array(256).map((_, l) => l * 61);
  for (const n of SIZES) {
    const data = random(2 * n, n + 6);
    same(`raw table n=${n}`, n, (out) => K.applyRawTable(proxy(odd(data)), 2, proxy(table), proxy(out)));
    same(`split n=${n}`, n, (out) => K.applySplitLut(proxy(odd(data)), proxy(bytesOf(high)), proxy(bytesOf(low)), proxy(out)));
  }
});

test("a kernel that throws still releases every view", () => {
  assert.ok(K.installWasm(wasm));
  assert.throws(() => K.byteswap(proxy(new Uint8Array(4)), proxy(new Uint8Array(3)), 2), /output/);
  assert.equal(held.count, 0);
  assert.throws(() => K.rescaleToInt16(proxy(new Uint8Array(8)), "float32", 1, 0, proxy(new Uint8Array(2))), /length/);
  assert.equal(held.count, 0);
});

test("installWasm refuses bytes that are no module, and the JS loops carry on", () => {
  assert.equal(K.installWasm(new Uint8Array([1, 2, 3])), false);
  assert.equal(K.usesWasm(), false);
  top = 0;
  const out = onHeap(new Uint8Array(4));
  K.byteswap(proxy(new Uint8Array([1, 2, 3, 4])), proxy(out), 2);
  assert.deepEqual([...out], [2, 1, 4, 3]);
});
