// The SIMD part of the js pixel backend: kernels.wat, compiled at build time
// (web/build/wasm-kernels.mjs), installed by the worker before it registers kernels.js.
// The module has its own memory: each call copies the input in, one chunk at a time (a
// memcpy, far cheaper than the loops it replaces), and the output out, so its memory stays a
// few megabytes whatever the volume. Without it (a browser without WebAssembly SIMD)
// kernels.js runs its JavaScript loops (loops.js).
import { TYPED, typed } from "./buffers.js";
import { firstZero } from "./loops.js";

/** The installed module's exports (null: none; the JavaScript loops run). */
export let simd = null;

/** Install the SIMD kernels from kernels.wasm's bytes; false (JS loops kept) if the engine refuses them. */
export function installWasm(bytes) {
  try {
    simd = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
  } catch {
    simd = null;
  }
  return simd !== null;
}

/** Whether the SIMD kernels are installed (false: JS loops). */
export const usesWasm = () => simd !== null;

/** Remove the SIMD kernels (tests compare both ways). */
export function uninstallWasm() {
  simd = null;
}

export const CHUNK = 1 << 20; // input bytes per call into the module
const RESULTS = 32; // bytes at offset 0 where reductions leave their results

/** Offsets of buffers of *sizes* bytes in the module's memory (16-byte aligned, with a spare
 * vector each, after the results area), the memory grown to hold them, and a view of it. */
export function arena(...sizes) {
  const offsets = [];
  let end = RESULTS;
  for (const size of sizes) {
    offsets.push(end);
    end += (size + 31) & ~15;
  }
  const missing = end - simd.memory.buffer.byteLength;
  if (missing > 0) simd.memory.grow(Math.ceil(missing / 65536));
  return { offsets, heap: new Uint8Array(simd.memory.buffer) };
}

/**
 * Copy *s* into the module chunk by chunk and call `run(inAt, steps, outAt, heap)` on each:
 * elements of *inSize* bytes, *perStep* per vector step; the last step's missing elements
 * are filled by `pad(heap, at, bytes)`. With *d*, each chunk's result (*outSize* bytes per
 * element, at outAt) is copied out into *d*.
 */
function eachChunk(s, inSize, perStep, pad, run, d = null, outSize = 0) {
  const n = s.length / inSize;
  const chunk = Math.max(perStep, Math.floor(CHUNK / inSize / perStep) * perStep);
  const { offsets: [inAt, outAt], heap } = arena(chunk * inSize, chunk * outSize);
  for (let first = 0; first < n; first += chunk) {
    const count = Math.min(chunk, n - first);
    const steps = Math.ceil(count / perStep);
    heap.set(s.subarray(first * inSize, (first + count) * inSize), inAt);
    pad(heap, inAt + count * inSize, (steps * perStep - count) * inSize);
    run(inAt, steps, outAt, heap);
    if (d) d.set(heap.subarray(outAt, outAt + count * outSize), first * outSize);
  }
}

/** A SIMD map of *s* into *d*: `run(inAt, steps, outAt)` per chunk (see eachChunk). */
export function simdMap(s, d, inSize, outSize, perStep, pad, run) {
  eachChunk(s, inSize, perStep, pad, run, d, outSize);
}

/** A SIMD reduction over *s*: `run(inAt, steps, heap)` per chunk, results left at offset 0. */
export function simdReduce(s, inSize, perStep, pad, run) {
  eachChunk(s, inSize, perStep, pad, (inAt, steps, outAt, heap) => run(inAt, steps, heap));
}

export const padZero = (heap, at, bytes) => heap.fill(0, at, at + bytes);

/** Padding that repeats the bytes *element* (a neutral element for min and max). */
export const padWith = (element) => (heap, at, bytes) => {
  for (let k = 0; k < bytes; k += element.length) heap.set(element, at + k);
};

export const NAN_F32 = new Uint8Array(new Float32Array([NaN]).buffer);

export function simdFloatRange(s, finiteOnly, out) {
  let lo = Infinity, hi = -Infinity, bad = 0;
  const padded = (Math.ceil(s.length / 16) * 16 - s.length) / 4; // NaN padding, counted as skipped
  simdReduce(s, 4, 4, padWith(NAN_F32), (at, steps, heap) => {
    simd.range_f32(at, steps, finiteOnly ? 1 : 0);
    const r = new Float64Array(heap.buffer, 0, 2);
    lo = Math.min(lo, r[0]);
    hi = Math.max(hi, r[1]);
    bad += new Int32Array(heap.buffer, 16, 1)[0];
  });
  bad -= padded;
  const seen = s.length / 4 - bad;
  // the reference keeps the first of equal extremes: of -0.0 and 0.0, the one met first
  if (lo === 0 || hi === 0) {
    const zero = firstZero(typed(s, "float32"));
    if (lo === 0) lo = zero;
    if (hi === 0) hi = zero;
  }
  out[0] = seen ? lo : NaN;
  out[1] = seen ? hi : NaN;
  out[2] = bad;
}

export const RANGE_KINDS = { int8: 0, uint8: 1, int16: 2, uint16: 3 };

export function simdRangeInt(s, dtype, out) {
  let lo = Infinity, hi = -Infinity;
  const Typed = TYPED[dtype];
  const size = Typed.BYTES_PER_ELEMENT;
  simdReduce(s, size, 16 / size, padWith(s.slice(0, size)), (at, steps, heap) => {
    simd.range_int(at, steps, RANGE_KINDS[dtype]);
    const lanes = new Typed(heap.buffer, 0, 32 / size); // minima, then maxima
    for (let k = 0; k < lanes.length / 2; k++) {
      lo = Math.min(lo, lanes[k]);
      hi = Math.max(hi, lanes[k + lanes.length / 2]);
    }
  });
  out[0] = lo; out[1] = hi; out[2] = 0;
}

/** table[v] for 16-bit *s* in the SIMD module's memory: `fill(heap, at)` writes the 65536-byte
 * table at *at* (a lookup has no vector form; the module's scalar loop still beats JS's). */
export function simdLookUp16(s, d, fill) {
  const n = s.length / 2;
  const chunk = Math.min(n, CHUNK / 2);
  const { offsets: [tableAt, inAt, outAt], heap } = arena(65536 + 2048, 2 * chunk, chunk);
  fill(heap, tableAt);
  for (let first = 0; first < n; first += chunk) {
    const count = Math.min(chunk, n - first);
    heap.set(s.subarray(2 * first, 2 * (first + count)), inAt);
    simd.lookup16(inAt, count, tableAt, outAt);
    d.set(heap.subarray(outAt, outAt + count), first);
  }
}
