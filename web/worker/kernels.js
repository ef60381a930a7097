// The `js` pixel backend: dicomforge's bulk kernels as plain loops over typed arrays, for
// Pyodide, where no numpy wheel is reachable. The worker registers this module into Pyodide
// as `dicomforge_js_kernels` (registerJsModule) before dicomforge is imported;
// py/dicomforge/kernels/js_backend.py calls it, and must get the bytes the standard-library
// backend returns (tests/py/kernels runs every kernel test on both, in Pyodide under Node).
//
// Calling convention: Python passes its buffers (bytes, bytearray, memoryview) as PyProxies,
// never lists; an output is a Python-owned bytearray of the right length, written in place
// (kernels/buffers.js: views without copies, always released). Python checks lengths and
// element types first (DicomForgeError); the checks here are a second guard against writing
// outside a buffer. Each kernel runs its WebAssembly SIMD form where one exists and is
// installed (kernels/simd.js, kernels.wat), else its JavaScript loop (kernels/loops.js); both
// give the same bytes (tests/js/kernels.test.mjs).
import { TYPED, expectLength, output, typed, withBytes } from "./kernels/buffers.js";
import {
  affine, affineTruncated, bitshuffleLoop, clampedLookUp, equalBitsLoop, equalBytesLoop, equalWords,
  firstZero, floatRange, greyBytes, greyWords, indexLoop, intRange, keepLow, lookUp, markSeen, packLoop, paint,
  rescaleToInt16Loop, rgbBytes, shuffleLoop, signExtend, splitTable, swap16, swap32, swapBytes, unpackLoop, unshuffleLoop,
  ybrLoop,
} from "./kernels/loops.js";
import {
  RANGE_KINDS, padWith, padZero, simd, simdFloatRange, simdLookUp16, simdMap, simdRangeInt,
} from "./kernels/simd.js";

export { installWasm, uninstallWasm, usesWasm } from "./kernels/simd.js";

// ---- values ---------------------------------------------------------------------------

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

/** lut[clamp(v - offset, 0, len - 1)] for each element of 32-bit integer *src*. */
export function applyLut(src, dtype, lut, offset, dst) {
  withBytes([src, lut, dst], (s, l, d) => {
    const v = typed(s, dtype);
    expectLength(d, v.length, "output");
    clampedLookUp(v, l, offset, d);
  });
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

/** Paint (r, g, b) into RGBA *dst* wherever *mask* is nonzero. */
export function drawMask(mask, dst, r, g, b) {
  withBytes([mask, dst], (m, d) => {
    expectLength(d, 4 * m.length, "RGBA output");
    paint(m, d, r, g, b);
  });
}

/** Interleaved 8-bit YBR_FULL to RGB in 16-bit fixed point (the coefficients from Python). */
export function ybrFullToRgb(src, dst, rcr, gcb, gcr, bcb) {
  withBytes([src, dst], (s, d) => {
    expectLength(d, s.length, "output");
    ybrLoop(s, d, rcr, gcb, gcr, bcb);
  });
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

/** Bitshuffle (c-blosc 1.x) of the first n * typesize bytes, n a multiple of 8 (`inverse`:
 * its inverse): plane j * 8 + b holds bit b of byte j of every element. */
export function bitshuffle(src, typesize, dst, inverse) {
  withBytes([src, dst], (s, d) => {
    const n = Math.floor(s.length / typesize);
    if (n % 8) throw new RangeError("bitshuffle needs a multiple of 8 elements");
    if (d.length < n * typesize) throw new RangeError("bitshuffle output too short");
    bitshuffleLoop(s, d, n / 8, typesize, new Int32Array(2), inverse);
  });
}
