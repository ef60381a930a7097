// The `js` pixel backend: dicomforge's bulk kernels as plain loops over typed arrays, for
// Pyodide, where no numpy wheel is reachable. The worker registers this module into Pyodide
// as `dicomforge_js_kernels` (registerJsModule) before dicomforge is imported;
// py/dicomforge/kernels/js_backend.py calls it, and must get the bytes the standard-library
// backend returns (tests/py/kernels runs every kernel test on both, in Pyodide under Node).
//
// Calling convention: Python passes its buffers (bytes, bytearray, memoryview) as PyProxies,
// never lists; an output is a Python-owned bytearray of the right length, written in place.
// Views are taken with getBuffer() (a window on the wasm heap, no copy) and released before
// the kernel returns, also when it throws. The heap can grow while buffers are acquired
// (getBuffer allocates), which detaches earlier views, so every view is made afresh on the
// heap as it is once all buffers are held, and none is kept between calls. Python checks
// lengths and element types first (DicomForgeError); the checks here are a second guard
// against writing outside a buffer. One copy remains: an input whose address is not a
// multiple of its element size (a memoryview slice at an odd offset) is copied to an
// aligned array first, because typed arrays cannot view it in place.

/** Typed array constructor per element type, as numpy names them. */
export const TYPED = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, float32: Float32Array, float64: Float64Array,
};

/**
 * Run *body* with a Uint8Array view of each PyProxy buffer in *proxies*, released afterwards.
 * @template T
 * @param {Array<{getBuffer: Function}>} proxies
 * @param {(...views: Uint8Array[]) => T} body
 * @returns {T}
 */
export function withBytes(proxies, body) {
  const held = [];
  try {
    const places = [];
    for (const proxy of proxies) {
      const buffer = proxy.getBuffer("u8");
      held.push(buffer);
      if (!buffer.c_contiguous) throw new RangeError("kernel buffers must be contiguous");
      places.push([buffer.data.byteOffset, buffer.data.byteLength]); // read before the next getBuffer can grow the heap
    }
    // the heap as it is now: the newest view of it (an empty buffer's view may not be on it),
    // or a fresh one if even that one was detached by a later getBuffer
    const last = places.findLastIndex(([, length]) => length > 0);
    let heap = last < 0 ? null : held[last].data.buffer;
    while (heap && heap.byteLength === 0) {
      const fresh = proxies[last].getBuffer("u8");
      held.push(fresh);
      heap = fresh.data.buffer;
    }
    return body(...places.map(([offset, length]) => (length ? new Uint8Array(heap, offset, length) : new Uint8Array(0))));
  } finally {
    for (const buffer of held) buffer.release();
  }
}

/** *bytes* as an array of *dtype* elements: a view in place, or an aligned copy. */
export function typed(bytes, dtype) {
  const Typed = TYPED[dtype];
  if (!Typed) throw new RangeError(`the js kernels do not handle element type ${dtype}`);
  const size = Typed.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  if (bytes.byteOffset % size === 0) return new Typed(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
  return new Typed(bytes.slice().buffer);
}

function expectLength(view, length, what) {
  if (view.length !== length) throw new RangeError(`${what} holds ${view.length} elements, the kernel needs ${length}`);
}

/** An output view of *dtype*; when misaligned, a scratch array copied back by `done`. */
function output(bytes, dtype) {
  const Typed = TYPED[dtype];
  if (bytes.byteOffset % Typed.BYTES_PER_ELEMENT === 0) return { out: typed(bytes, dtype), done() {} };
  const out = new Typed(bytes.byteLength / Typed.BYTES_PER_ELEMENT);
  return { out, done: () => bytes.set(new Uint8Array(out.buffer)) };
}

const INT16_MIN = -32768;
const INT16_MAX = 32767;
const MAGIC = 6755399441055744.0; // 1.5 * 2**52: (x + MAGIC) - MAGIC rounds x half to even

// ---- the SIMD module ----------------------------------------------------------------------
// kernels.wat, compiled at build time; the worker installs it before registering this module.
// Its own memory: each call copies the input in, one chunk at a time (a memcpy, far cheaper
// than the loops it replaces), and the output out, so its memory stays a few megabytes
// whatever the volume. Without it (a browser without WebAssembly SIMD) the JS loops below run.

let simd = null;

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

const CHUNK = 1 << 20; // input bytes per call into the module
const RESULTS = 32; // bytes at offset 0 where reductions leave their results

/** Offsets of buffers of *sizes* bytes in the module's memory (16-byte aligned, with a spare
 * vector each, after the results area), the memory grown to hold them, and a view of it. */
function arena(...sizes) {
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
 * A SIMD map over *s* into *d*, chunk by chunk: elements of *inSize* bytes in, *outSize* out,
 * *perStep* elements per vector step; the last step's missing elements are filled by
 * `pad(heap, at, bytes)`; `run(inAt, steps, outAt)` calls the module.
 */
function simdMap(s, d, inSize, outSize, perStep, pad, run) {
  const n = s.length / inSize;
  const chunk = Math.max(perStep, Math.floor(CHUNK / inSize / perStep) * perStep);
  const { offsets: [inAt, outAt], heap } = arena(chunk * inSize, chunk * outSize);
  for (let first = 0; first < n; first += chunk) {
    const count = Math.min(chunk, n - first);
    const steps = Math.ceil(count / perStep);
    heap.set(s.subarray(first * inSize, (first + count) * inSize), inAt);
    pad(heap, inAt + count * inSize, (steps * perStep - count) * inSize);
    run(inAt, steps, outAt);
    d.set(heap.subarray(outAt, outAt + count * outSize), first * outSize);
  }
}

/** A SIMD reduction over *s*: `run(inAt, steps, first)` per chunk (no output buffer). */
function simdReduce(s, inSize, perStep, pad, run) {
  const n = s.length / inSize;
  const chunk = Math.max(perStep, Math.floor(CHUNK / inSize / perStep) * perStep);
  const { offsets: [inAt], heap } = arena(chunk * inSize);
  for (let first = 0; first < n; first += chunk) {
    const count = Math.min(chunk, n - first);
    const steps = Math.ceil(count / perStep);
    heap.set(s.subarray(first * inSize, (first + count) * inSize), inAt);
    pad(heap, inAt + count * inSize, (steps * perStep - count) * inSize);
    run(inAt, steps, heap);
  }
}

const padZero = (heap, at, bytes) => heap.fill(0, at, at + bytes);

/** Padding that repeats the bytes *element* (a neutral element for min and max). */
const padWith = (element) => (heap, at, bytes) => {
  for (let k = 0; k < bytes; k += element.length) heap.set(element, at + k);
};

// ---- values ---------------------------------------------------------------------------
// Hot loops live in top-level functions that take everything as arguments: V8 compiles a
// loop over locals far better than one reading a closure's variables (measured 2x).

/** Reverse the bytes of every *itemsize*-byte element of *src* into *dst*. */
export function byteswap(src, dst, itemsize) {
  withBytes([src, dst], (s, d) => {
    expectLength(d, s.length, "output");
    if (s.length % itemsize) throw new RangeError(`${s.length} bytes is not a whole number of ${itemsize}-byte elements`);
    if (simd && (itemsize === 2 || itemsize === 4)) {
      const run = itemsize === 2 ? simd.byteswap16 : simd.byteswap32;
      simdMap(s, d, itemsize, itemsize, 16 / itemsize, padZero, (at, steps, out) => run(at, steps, out));
      return;
    }
    const aligned = s.byteOffset % itemsize === 0 && d.byteOffset % itemsize === 0;
    if (aligned && itemsize === 2) swap16(typed(s, "uint16"), typed(d, "uint16"));
    else if (aligned && itemsize === 4) swap32(typed(s, "uint32"), typed(d, "uint32"));
    else swapBytes(s, d, itemsize);
  });
}

function swap16(a, b) {
  const n = a.length;
  for (let i = 0; i < n; i++) { const v = a[i]; b[i] = (v >>> 8) | ((v & 0xff) << 8); }
}

function swap32(a, b) {
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    b[i] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  }
}

function swapBytes(s, d, size) {
  for (let i = 0; i < s.length; i += size) for (let k = 0; k < size; k++) d[i + k] = s[i + size - 1 - k];
}

/**
 * Extremes of *src*: writes [min, max, skipped count] as float64 into *dst* (24 bytes).
 * `skip` "nan" leaves NaN out (min_max), "nonfinite" leaves NaN and ±inf out and counts them
 * (value_range). The first of equal extremes is kept (as Python's min and max do: -0.0 and
 * 0.0 are equal).
 */
export function valueRange(src, dtype, dst, skip) {
  withBytes([src, dst], (s, d) => {
    expectLength(d, 24, "range output");
    const out = new Float64Array(3);
    if (!TYPED[dtype] || s.length % TYPED[dtype].BYTES_PER_ELEMENT) throw new RangeError(`not a whole number of ${dtype} elements`);
    if (simd && dtype === "float32" && s.length) simdFloatRange(s, skip === "nonfinite", out);
    else if (simd && dtype in RANGE_KINDS && s.length) simdRangeInt(s, dtype, out);
    else if (dtype.startsWith("float")) floatRange(typed(s, dtype), skip === "nonfinite", out);
    else intRange(typed(s, dtype), out);
    d.set(new Uint8Array(out.buffer));
  });
}

function intRange(v, out) {
  const n = v.length;
  let lo = n ? v[0] : NaN, hi = lo;
  for (let i = 1; i < n; i++) {
    const x = v[i];
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  out[0] = lo; out[1] = hi; out[2] = 0;
}

function floatRange(v, finiteOnly, out) {
  const n = v.length;
  let lo = NaN, hi = NaN, bad = 0, i = 0;
  for (; i < n; i++) { // up to the first element kept
    const x = v[i];
    if (x === x && !(finiteOnly && (x === Infinity || x === -Infinity))) { lo = x; hi = x; i++; break; }
    bad++;
  }
  for (; i < n; i++) {
    const x = v[i];
    if (x - x !== 0) { // NaN or infinite
      if (x !== x || finiteOnly) { bad++; continue; }
    }
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  out[0] = lo; out[1] = hi; out[2] = bad;
}

const NAN_F32 = new Uint8Array(new Float32Array([NaN]).buffer);

function simdFloatRange(s, finiteOnly, out) {
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

function firstZero(v) {
  for (let i = 0; i < v.length; i++) if (v[i] === 0) return v[i];
  return 0;
}

const RANGE_KINDS = { int8: 0, uint8: 1, int16: 2, uint16: 3 };

function simdRangeInt(s, dtype, out) {
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

/** round((v - intercept) / slope) half to even, clamped to int16, NaN -> -32768, into *dst*. */
export function rescaleToInt16(src, dtype, slope, intercept, dst) {
  withBytes([src, dst], (s, d) => {
    if (!TYPED[dtype] || s.length % TYPED[dtype].BYTES_PER_ELEMENT) throw new RangeError(`not a whole number of ${dtype} elements`);
    if (d.length !== (2 * s.length) / TYPED[dtype].BYTES_PER_ELEMENT) throw new RangeError("output length mismatch");
    if (simd && dtype === "float32") {
      simdMap(s, d, 4, 2, 4, padZero, (at, steps, out) => simd.rescale_f32_i16(at, steps, out, intercept, slope));
      return;
    }
    const v = typed(s, dtype);
    const { out, done } = output(d, "int16");
    rescaleToInt16Loop(v, out, slope, intercept);
    done();
  });
}

function rescaleToInt16Loop(v, out, slope, intercept) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const x = (v[i] - intercept) / slope;
    out[i] = x >= INT16_MAX ? INT16_MAX : x <= INT16_MIN || x !== x ? INT16_MIN : ((x + MAGIC) - MAGIC) | 0;
  }
}

/**
 * v * slope + intercept in float64, stored as *target*: a float type (rounded to nearest), or
 * an integer type, truncated. Returns false when an integer result is not finite or out of
 * the target's range (Python then raises as the reference does).
 */
export function rescaleValues(src, dtype, slope, intercept, target, dst) {
  return withBytes([src, dst], (s, d) => {
    const v = typed(s, dtype);
    const { out, done } = output(d, target);
    expectLength(out, v.length, "output");
    if (target.startsWith("float")) {
      affine(v, out, slope, intercept);
    } else {
      const bits = 8 * out.BYTES_PER_ELEMENT;
      const [lo, hi] = target.startsWith("int") ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
      if (!affineTruncated(v, out, slope, intercept, lo, hi)) return false;
    }
    done();
    return true;
  });
}

function affine(v, out, slope, intercept) {
  const n = v.length;
  for (let i = 0; i < n; i++) out[i] = v[i] * slope + intercept;
}

function affineTruncated(v, out, slope, intercept, lo, hi) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const x = Math.trunc(v[i] * slope + intercept);
    if (!(x >= lo && x <= hi)) return false; // NaN, infinite or out of range
    out[i] = x;
  }
  return true;
}

/** One byte per pixel (nonzero = set) into bits, pixel 0 in bit 0 of byte 0; *dst* zeroed. */
export function packBits(mask, dst) {
  withBytes([mask, dst], (m, d) => {
    if (d.length < (m.length + 7) >> 3) throw new RangeError("bit output too short");
    if (simd && m.length >= 16) {
      const whole = m.length & ~15; // 16 pixels -> 2 bytes per step; the rest by the JS loop
      simdMap(m.subarray(0, whole), d.subarray(0, whole >> 3), 16, 2, 1, padZero, (at, steps, out) => simd.pack_bits(at, steps, out));
      packLoop(m.subarray(whole), d.subarray(whole >> 3));
      return;
    }
    packLoop(m, d);
  });
}

function packLoop(m, d) {
  const n = m.length, whole = n & ~7;
  for (let i = 0, o = 0; i < whole; i += 8, o++) {
    d[o] = (m[i] !== 0) | ((m[i + 1] !== 0) << 1) | ((m[i + 2] !== 0) << 2) | ((m[i + 3] !== 0) << 3)
      | ((m[i + 4] !== 0) << 4) | ((m[i + 5] !== 0) << 5) | ((m[i + 6] !== 0) << 6) | ((m[i + 7] !== 0) << 7);
  }
  for (let i = whole; i < n; i++) if (m[i]) d[i >> 3] |= 1 << (i & 7);
}

/** Inverse of packBits: *count* bytes of 0 or 1 into *dst*. */
export function unpackBits(src, count, dst) {
  withBytes([src, dst], (s, d) => {
    if (s.length < (count + 7) >> 3) throw new RangeError(`${s.length} bytes hold fewer than ${count} bits`);
    expectLength(d, count, "output");
    if (simd && count >= 16) {
      const whole = count & ~15; // 2 bytes -> 16 pixels per step
      simdMap(s.subarray(0, whole >> 3), d.subarray(0, whole), 2, 16, 1, padZero, (at, steps, out) => simd.unpack_bits(at, steps, out));
      unpackLoop(s.subarray(whole >> 3), d.subarray(whole), count - whole);
      return;
    }
    unpackLoop(s, d, count);
  });
}

function unpackLoop(s, d, count) {
  for (let i = 0; i < count; i++) d[i] = (s[i >> 3] >> (i & 7)) & 1;
}

/** The elements of *src* whose bytes equal *target*'s (one element): as bytes of 0/1 (`bits`
 * false) or packed bits, element 0 in bit 0 (`bits` true; *dst* zeroed). Bit patterns are
 * compared, as the reference compares bytes. */
export function equalMask(src, size, target, dst, bits) {
  withBytes([src, target, dst], (s, t, d) => {
    if (t.length !== size || s.length % size) throw new RangeError("element size mismatch");
    const n = s.length / size;
    expectLength(d, bits ? (n + 7) >> 3 : n, "mask output");
    if (size === 8) { // two 32-bit words per element
      const [low, high] = typed(t.slice(), "uint32");
      equalWords(typed(s, "uint32"), low, high, d, bits);
      return;
    }
    const type = { 1: "uint8", 2: "uint16", 4: "uint32" }[size];
    const want = typed(t.slice(), type)[0];
    if (simd && n >= 8) {
      // groups of 8 elements (one byte of bits); a vector step is 16 bytes: 2 groups of bytes,
      // 1 of 16-bit, half of 32-bit elements. The last n % 8 elements by the JS loop.
      const whole = n & ~7;
      const miss = t.slice();
      miss[0] ^= 0xff; // padding that never matches
      const run = bits ? simd.equal_bits : simd.equal_bytes;
      const perStep = size === 1 ? 2 : 1;
      const vectors = size === 4 ? 2 : 1; // vector steps per simdMap step
      simdMap(s.subarray(0, whole * size), d.subarray(0, bits ? whole >> 3 : whole), 8 * size, bits ? 1 : 8, perStep,
        padWith(miss), (at, steps, out) => run(at, steps * vectors, want, size, out));
      const rest = typed(s.slice(whole * size), type);
      if (bits) equalBitsLoop(rest, want, d.subarray(whole >> 3));
      else equalBytesLoop(rest, want, d.subarray(whole));
      return;
    }
    if (bits) equalBitsLoop(typed(s, type), want, d);
    else equalBytesLoop(typed(s, type), want, d);
  });
}

function equalBytesLoop(v, want, d) {
  const n = v.length;
  for (let i = 0; i < n; i++) d[i] = v[i] === want ? 1 : 0;
}

function equalBitsLoop(v, want, d) {
  const n = v.length, whole = n & ~7;
  for (let i = 0, o = 0; i < whole; i += 8, o++) {
    d[o] = (v[i] === want) | ((v[i + 1] === want) << 1) | ((v[i + 2] === want) << 2) | ((v[i + 3] === want) << 3)
      | ((v[i + 4] === want) << 4) | ((v[i + 5] === want) << 5) | ((v[i + 6] === want) << 6) | ((v[i + 7] === want) << 7);
  }
  for (let i = whole; i < n; i++) if (v[i] === want) d[i >> 3] |= 1 << (i & 7);
}

function equalWords(w, low, high, d, bits) {
  const n = w.length / 2;
  for (let i = 0; i < n; i++) {
    const hit = w[2 * i] === low && w[2 * i + 1] === high;
    if (bits) { if (hit) d[i >> 3] |= 1 << (i & 7); } else d[i] = hit ? 1 : 0;
  }
}

/** The distinct values of *src* (NaN left out), ascending, as a new typed array of *dtype*. */
export function distinctValues(src, dtype) {
  return withBytes([src], (s) => {
    const v = typed(s, dtype);
    const Typed = TYPED[dtype];
    if (Typed.BYTES_PER_ELEMENT <= 2 && !dtype.startsWith("float")) {
      const span = 1 << (8 * Typed.BYTES_PER_ELEMENT);
      const offset = dtype.startsWith("int") ? span >> 1 : 0;
      const seen = new Uint8Array(span);
      markSeen(v, seen, offset);
      const found = [];
      for (let k = 0; k < span; k++) if (seen[k]) found.push(k - offset);
      return Typed.from(found);
    }
    const sorted = Typed.from(v).sort();
    const found = [];
    for (let i = 0; i < sorted.length; i++) {
      const x = sorted[i];
      if (x !== x) continue;
      if (!found.length || found[found.length - 1] !== x) found.push(x);
    }
    // sort puts -0.0 before 0.0; the reference keeps the zero met first in the data
    const zero = found.findIndex((x) => x === 0);
    if (zero >= 0) found[zero] = firstZero(v);
    return Typed.from(found);
  });
}

function markSeen(v, seen, offset) {
  const n = v.length;
  for (let i = 0; i < n; i++) seen[v[i] + offset] = 1;
}

// ---- display --------------------------------------------------------------------------

/** Keep the low *bitsStored* bits of each element, the bits above filled with the sign bit
 * (*signed*) or zeros. Elements of 1, 2 or 4 bytes. */
export function maskStoredBits(src, itemsize, bitsStored, signed, dst) {
  withBytes([src, dst], (s, d) => {
    if (d.length !== s.length || s.length % itemsize) throw new RangeError("output length mismatch");
    if (simd && itemsize === 2) {
      simdMap(s, d, 2, 2, 8, padZero, (at, steps, out) => simd.stored_bits16(at, steps, bitsStored, signed ? 1 : 0, out));
      return;
    }
    const type = { 1: "uint8", 2: "uint16", 4: "uint32" }[itemsize];
    const v = typed(s, type);
    const { out, done } = output(d, type);
    if (signed) signExtend(v, out, 32 - bitsStored);
    else keepLow(v, out, bitsStored >= 32 ? 0xffffffff : (2 ** bitsStored) - 1);
    done();
  });
}

function signExtend(v, out, shift) {
  const n = v.length;
  for (let i = 0; i < n; i++) out[i] = (v[i] << shift) >> shift;
}

function keepLow(v, out, mask) {
  const n = v.length;
  for (let i = 0; i < n; i++) out[i] = v[i] & mask;
}

/** *table*[v] for each element (a raw-value table: 256 entries for 8-bit, 65536 for 16-bit
 * elements, indexed by the unsigned element). */
export function applyRawTable(src, size, table, dst) {
  withBytes([src, table, dst], (s, t, d) => {
    expectLength(t, 1 << (8 * size), "table");
    if (d.length !== s.length / size) throw new RangeError("output length mismatch");
    if (simd && size === 2) return simdLookUp16(s, d, (heap, at) => heap.set(t, at));
    lookUp(typed(s, size === 1 ? "uint8" : "uint16"), t, d);
  });
}

/** table[v] for 16-bit *s* in the SIMD module's memory: `fill(heap, at)` writes the 65536-byte
 * table at *at* (a lookup has no vector form; the module's scalar loop still beats JS's). */
function simdLookUp16(s, d, fill) {
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

function lookUp(v, t, d) {
  const n = v.length;
  for (let i = 0; i < n; i++) d[i] = t[v[i]];
}

/** lut[clamp(v - offset, 0, len - 1)] for each element of 32-bit integer *src*. */
export function applyLut(src, dtype, lut, offset, dst) {
  withBytes([src, lut, dst], (s, l, d) => {
    const v = typed(s, dtype);
    expectLength(d, v.length, "output");
    clampedLookUp(v, l, offset, d);
  });
}

function clampedLookUp(v, l, offset, d) {
  const n = v.length, last = l.length - 1;
  for (let i = 0; i < n; i++) {
    const k = v[i] - offset;
    d[i] = l[k <= 0 ? 0 : k >= last ? last : k];
  }
}

/** Grey levels of 16-bit *src* through a split table: z = high[H] + low[L] (int32 tables),
 * grey = clamp(z >> 6, 0, 255), z < 0 -> 0. */
export function applySplitLut(src, high, low, dst) {
  withBytes([src, high, low, dst], (s, h, l, d) => {
    expectLength(h, 1024, "high table bytes");
    expectLength(l, 1024, "low table bytes");
    if (d.length !== s.length / 2 || s.length % 2) throw new RangeError("output length mismatch");
    if (simd) {
      // the table is built in the module, after the 65536 bytes it fills: high and low there
      return simdLookUp16(s, d, (heap, at) => {
        heap.set(h, at + 65536);
        heap.set(l, at + 65536 + 1024);
        simd.split_table(at + 65536, at + 65536 + 1024, at);
      });
    }
    const v = typed(s, "uint16");
    const hi = typed(h, "int32");
    const lo = typed(l, "int32");
    const table = new Uint8Array(65536);
    splitTable(hi, lo, table);
    lookUp(v, table, d);
  });
}

function splitTable(hi, lo, table) {
  const top = 256 << 6;
  for (let H = 0; H < 256; H++) {
    const base = hi[H];
    for (let L = 0; L < 256; L++) {
      const z = base + lo[L];
      table[(H << 8) | L] = z < 0 ? 0 : z >= top ? 255 : z >> 6;
    }
  }
}

/** RGBA (alpha 255) from one grey byte per pixel (`channels` 1) or interleaved RGB (3). */
export function toRgba(src, channels, dst) {
  withBytes([src, dst], (s, d) => {
    expectLength(d, (4 * s.length) / channels, "RGBA output");
    if (simd && channels === 1) simdMap(s, d, 1, 4, 16, padZero, (at, steps, out) => simd.grey_rgba(at, steps, out));
    else if (channels === 1 && d.byteOffset % 4 === 0) greyWords(s, typed(d, "uint32"));
    else if (channels === 1) greyBytes(s, d);
    else rgbBytes(s, d);
  });
}

function greyWords(s, words) {
  const n = s.length;
  for (let i = 0; i < n; i++) words[i] = (s[i] * 0x010101) | 0xff000000;
}

function greyBytes(s, d) {
  for (let i = 0, o = 0; i < s.length; i++, o += 4) { const g = s[i]; d[o] = g; d[o + 1] = g; d[o + 2] = g; d[o + 3] = 255; }
}

function rgbBytes(s, d) {
  for (let i = 0, o = 0; i < s.length; i += 3, o += 4) { d[o] = s[i]; d[o + 1] = s[i + 1]; d[o + 2] = s[i + 2]; d[o + 3] = 255; }
}

/** Paint (r, g, b) into RGBA *dst* wherever *mask* is nonzero. */
export function drawMask(mask, dst, r, g, b) {
  withBytes([mask, dst], (m, d) => {
    expectLength(d, 4 * m.length, "RGBA output");
    paint(m, d, r, g, b);
  });
}

function paint(m, d, r, g, b) {
  const n = m.length;
  for (let i = 0; i < n; i++) {
    if (m[i] !== 0) { const o = 4 * i; d[o] = r; d[o + 1] = g; d[o + 2] = b; }
  }
}

/** Interleaved 8-bit YBR_FULL to RGB in 16-bit fixed point (the coefficients from Python). */
export function ybrFullToRgb(src, dst, rcr, gcb, gcr, bcb) {
  withBytes([src, dst], (s, d) => {
    expectLength(d, s.length, "output");
    ybrLoop(s, d, rcr, gcb, gcr, bcb);
  });
}

function ybrLoop(s, d, rcr, gcb, gcr, bcb) {
  const half = 1 << 15, n = s.length - (s.length % 3);
  for (let i = 0; i < n; i += 3) {
    const y = s[i], cb = s[i + 1] - 128, cr = s[i + 2] - 128;
    const r = y + ((rcr * cr + half) >> 16), g = y + ((gcb * cb + gcr * cr + half) >> 16), b = y + ((bcb * cb + half) >> 16);
    d[i] = r < 0 ? 0 : r > 255 ? 255 : r;
    d[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
    d[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
  }
}

/** uint16 clamp(floor((v - base) / 2**shift), 0, 65535) of 32-bit or narrower integers. */
export function toIndex16(src, dtype, base, shift, dst) {
  withBytes([src, dst], (s, d) => {
    const v = typed(s, dtype);
    const { out, done } = output(d, "uint16");
    expectLength(out, v.length, "output");
    indexLoop(v, out, base, 2 ** shift);
    done();
  });
}

function indexLoop(v, out, base, scale) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const k = Math.floor((v[i] - base) / scale);
    out[i] = k <= 0 ? 0 : k >= 65535 ? 65535 : k;
  }
}

// ---- Blosc shuffles ---------------------------------------------------------------------

/** Byte shuffle (`inverse` false) or unshuffle of the first n * typesize bytes (the caller
 * copies the trailing bytes): shuffled byte j * n + i is element i's byte j. */
export function shuffleBytes(src, typesize, dst, inverse) {
  withBytes([src, dst], (s, d) => {
    const n = Math.floor(s.length / typesize);
    if (d.length < n * typesize) throw new RangeError("shuffle output too short");
    if (inverse) unshuffleLoop(s, d, n, typesize);
    else shuffleLoop(s, d, n, typesize);
  });
}

function shuffleLoop(s, d, n, typesize) {
  for (let j = 0; j < typesize; j++) {
    const plane = j * n;
    for (let i = 0, k = j; i < n; i++, k += typesize) d[plane + i] = s[k];
  }
}

function unshuffleLoop(s, d, n, typesize) {
  for (let j = 0; j < typesize; j++) {
    const plane = j * n;
    for (let i = 0, k = j; i < n; i++, k += typesize) d[k] = s[plane + i];
  }
}

/** The 8x8 bit transpose of the little-endian 64-bit word (lo, hi): byte k bit b <-> byte b
 * bit k (the three steps of kernels/stdlib_shuffle.py, on two 32-bit halves); into[0..1]. */
function transpose8(lo, hi, into) {
  let t = (lo ^ (lo >>> 7)) & 0x00aa00aa; lo ^= t ^ (t << 7);
  t = (hi ^ (hi >>> 7)) & 0x00aa00aa; hi ^= t ^ (t << 7);
  t = (lo ^ (lo >>> 14)) & 0x0000cccc; lo ^= t ^ (t << 14);
  t = (hi ^ (hi >>> 14)) & 0x0000cccc; hi ^= t ^ (t << 14);
  t = (lo ^ ((lo >>> 28) | (hi << 4))) & 0xf0f0f0f0; lo ^= t; hi ^= t >>> 4;
  into[0] = lo; into[1] = hi;
}

/** Bitshuffle (c-blosc 1.x) of the first n * typesize bytes, n a multiple of 8 (`inverse`:
 * its inverse): plane j * 8 + b holds bit b of byte j of every element. */
export function bitshuffle(src, typesize, dst, inverse) {
  withBytes([src, dst], (s, d) => {
    const n = Math.floor(s.length / typesize);
    if (n % 8) throw new RangeError("bitshuffle needs a multiple of 8 elements");
    if (d.length < n * typesize) throw new RangeError("bitshuffle output too short");
    if (inverse) bitunshuffleLoop(s, d, n / 8, typesize, new Int32Array(2));
    else bitshuffleLoop(s, d, n / 8, typesize, new Int32Array(2));
  });
}

function bitshuffleLoop(s, d, n8, typesize, word) {
  for (let j = 0; j < typesize; j++) {
    for (let g = 0; g < n8; g++) {
      const e = g * 8 * typesize + j; // byte j of element 8g
      const lo = s[e] | (s[e + typesize] << 8) | (s[e + 2 * typesize] << 16) | (s[e + 3 * typesize] << 24);
      const hi = s[e + 4 * typesize] | (s[e + 5 * typesize] << 8) | (s[e + 6 * typesize] << 16) | (s[e + 7 * typesize] << 24);
      transpose8(lo, hi, word);
      const plane = j * 8 * n8 + g;
      const a = word[0], b = word[1];
      d[plane] = a; d[plane + n8] = a >>> 8; d[plane + 2 * n8] = a >>> 16; d[plane + 3 * n8] = a >>> 24;
      d[plane + 4 * n8] = b; d[plane + 5 * n8] = b >>> 8; d[plane + 6 * n8] = b >>> 16; d[plane + 7 * n8] = b >>> 24;
    }
  }
}

function bitunshuffleLoop(s, d, n8, typesize, word) {
  for (let j = 0; j < typesize; j++) {
    for (let g = 0; g < n8; g++) {
      const p = j * 8 * n8 + g;
      const lo = s[p] | (s[p + n8] << 8) | (s[p + 2 * n8] << 16) | (s[p + 3 * n8] << 24);
      const hi = s[p + 4 * n8] | (s[p + 5 * n8] << 8) | (s[p + 6 * n8] << 16) | (s[p + 7 * n8] << 24);
      transpose8(lo, hi, word);
      const e = g * 8 * typesize + j;
      const a = word[0], b = word[1];
      d[e] = a; d[e + typesize] = a >>> 8; d[e + 2 * typesize] = a >>> 16; d[e + 3 * typesize] = a >>> 24;
      d[e + 4 * typesize] = b; d[e + 5 * typesize] = b >>> 8; d[e + 6 * typesize] = b >>> 16; d[e + 7 * typesize] = b >>> 24;
    }
  }
}
