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

// ---- values ---------------------------------------------------------------------------

/** Reverse the bytes of every *itemsize*-byte element of *src* into *dst*. */
export function byteswap(src, dst, itemsize) {
  withBytes([src, dst], (s, d) => {
    expectLength(d, s.length, "output");
    if (s.length % itemsize) throw new RangeError(`${s.length} bytes is not a whole number of ${itemsize}-byte elements`);
    if (itemsize === 2 && s.byteOffset % 2 === 0 && d.byteOffset % 2 === 0) {
      const a = new Uint16Array(s.buffer, s.byteOffset, s.length / 2);
      const b = new Uint16Array(d.buffer, d.byteOffset, d.length / 2);
      for (let i = 0; i < a.length; i++) { const v = a[i]; b[i] = (v >>> 8) | ((v & 0xff) << 8); }
      return;
    }
    if (itemsize === 4 && s.byteOffset % 4 === 0 && d.byteOffset % 4 === 0) {
      const a = new Uint32Array(s.buffer, s.byteOffset, s.length / 4);
      const b = new Uint32Array(d.buffer, d.byteOffset, d.length / 4);
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        b[i] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
      }
      return;
    }
    for (let i = 0; i < s.length; i += itemsize) {
      for (let k = 0; k < itemsize; k++) d[i + k] = s[i + itemsize - 1 - k];
    }
  });
}

/**
 * Extremes of *src*: writes [min, max, nonfinite count] as float64 into *dst* (24 bytes).
 * `skip` "nan" leaves NaN out (min_max), "nonfinite" leaves NaN and ±inf out and counts them
 * (value_range). The first of equal extremes is kept (as Python's min and max do). Returns
 * how many elements were compared.
 */
export function valueRange(src, dtype, dst, skip) {
  return withBytes([src, dst], (s, d) => {
    const v = typed(s, dtype);
    const out = new Float64Array(3);
    let lo = Infinity, hi = -Infinity, bad = 0, seen = 0;
    if (dtype.startsWith("float")) {
      const finiteOnly = skip === "nonfinite";
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x !== x || (finiteOnly && (x === Infinity || x === -Infinity))) { bad++; continue; }
        if (seen === 0) { lo = x; hi = x; seen = 1; continue; }
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        seen++;
      }
    } else {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      seen = v.length;
    }
    out[0] = seen ? lo : NaN;
    out[1] = seen ? hi : NaN;
    out[2] = bad;
    expectLength(d, 24, "range output");
    d.set(new Uint8Array(out.buffer));
    return seen;
  });
}

/** round((v - intercept) / slope) half to even, clamped to int16, NaN -> -32768, into *dst*. */
export function rescaleToInt16(src, dtype, slope, intercept, dst) {
  withBytes([src, dst], (s, d) => {
    const v = typed(s, dtype);
    const { out, done } = output(d, "int16");
    expectLength(out, v.length, "output");
    for (let i = 0; i < v.length; i++) {
      const x = (v[i] - intercept) / slope;
      out[i] = x >= INT16_MAX ? INT16_MAX : x <= INT16_MIN ? INT16_MIN : x === x ? (x + MAGIC) - MAGIC : INT16_MIN;
    }
    done();
  });
}

/**
 * v * slope + intercept in float64, stored as *target*: a float type (rounded to nearest), or
 * an integer type, truncated. Returns false, writing nothing meaningful, when an integer
 * result is not finite or out of the target's range (Python then raises as the reference does).
 */
export function rescaleValues(src, dtype, slope, intercept, target, dst) {
  return withBytes([src, dst], (s, d) => {
    const v = typed(s, dtype);
    const { out, done } = output(d, target);
    expectLength(out, v.length, "output");
    if (target.startsWith("float")) {
      for (let i = 0; i < v.length; i++) out[i] = v[i] * slope + intercept;
      done();
      return true;
    }
    const bits = 8 * out.BYTES_PER_ELEMENT;
    const [lo, hi] = target.startsWith("int") ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
    for (let i = 0; i < v.length; i++) {
      const x = Math.trunc(v[i] * slope + intercept);
      if (!(x >= lo && x <= hi)) return false; // NaN, infinite or out of range
      out[i] = x;
    }
    done();
    return true;
  });
}

/** One byte per pixel (nonzero = set) into bits, pixel 0 in bit 0 of byte 0; *dst* zeroed. */
export function packBits(mask, dst) {
  withBytes([mask, dst], (m, d) => {
    if (d.length < (m.length + 7) >> 3) throw new RangeError("bit output too short");
    const whole = m.length & ~7;
    for (let i = 0, o = 0; i < whole; i += 8, o++) {
      d[o] = (m[i] ? 1 : 0) | (m[i + 1] ? 2 : 0) | (m[i + 2] ? 4 : 0) | (m[i + 3] ? 8 : 0)
        | (m[i + 4] ? 16 : 0) | (m[i + 5] ? 32 : 0) | (m[i + 6] ? 64 : 0) | (m[i + 7] ? 128 : 0);
    }
    for (let i = whole; i < m.length; i++) if (m[i]) d[i >> 3] |= 1 << (i & 7);
  });
}

/** Inverse of packBits: *count* bytes of 0 or 1 into *dst*. */
export function unpackBits(src, count, dst) {
  withBytes([src, dst], (s, d) => {
    if (s.length < (count + 7) >> 3) throw new RangeError(`${s.length} bytes hold fewer than ${count} bits`);
    expectLength(d, count, "output");
    for (let i = 0; i < count; i++) d[i] = (s[i >> 3] >> (i & 7)) & 1;
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
    let words, want, words2 = null, want2 = 0;
    if (size === 8) {
      words = typed(s, "uint32"); // low and high words of each element
      const tw = typed(t.slice(), "uint32");
      [want, want2] = tw;
      words2 = words;
    } else {
      const type = { 1: "uint8", 2: "uint16", 4: "uint32" }[size];
      words = typed(s, type);
      want = typed(t.slice(), type)[0];
    }
    const hit = words2
      ? (i) => words[2 * i] === want && words[2 * i + 1] === want2
      : (i) => words[i] === want;
    if (!bits) {
      for (let i = 0; i < n; i++) d[i] = hit(i) ? 1 : 0;
      return;
    }
    if (!words2) {
      for (let i = 0; i < n; i++) if (words[i] === want) d[i >> 3] |= 1 << (i & 7);
      return;
    }
    for (let i = 0; i < n; i++) if (hit(i)) d[i >> 3] |= 1 << (i & 7);
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
      for (let i = 0; i < v.length; i++) seen[v[i] + offset] = 1;
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
    return Typed.from(found);
  });
}

// ---- display --------------------------------------------------------------------------

/** Keep the low *bitsStored* bits of each element, the bits above filled with the sign bit
 * (*signed*) or zeros. Elements of 1, 2 or 4 bytes. */
export function maskStoredBits(src, itemsize, bitsStored, signed, dst) {
  withBytes([src, dst], (s, d) => {
    const type = { 1: "uint8", 2: "uint16", 4: "uint32" }[itemsize];
    const v = typed(s, type);
    const { out, done } = output(d, type);
    expectLength(out, v.length, "output");
    const shift = 32 - bitsStored;
    if (signed) {
      for (let i = 0; i < v.length; i++) out[i] = (v[i] << shift) >> shift;
    } else {
      const mask = bitsStored >= 32 ? 0xffffffff : (2 ** bitsStored) - 1;
      for (let i = 0; i < v.length; i++) out[i] = v[i] & mask;
    }
    done();
  });
}

/** *table*[v] for each element (a raw-value table: 256 entries for 8-bit, 65536 for 16-bit
 * elements, indexed by the unsigned element). */
export function applyRawTable(src, size, table, dst) {
  withBytes([src, table, dst], (s, t, d) => {
    const v = typed(s, size === 1 ? "uint8" : "uint16");
    expectLength(t, 1 << (8 * size), "table");
    expectLength(d, v.length, "output");
    for (let i = 0; i < v.length; i++) d[i] = t[v[i]];
  });
}

/** lut[clamp(v - offset, 0, len - 1)] for each element of 32-bit integer *src*. */
export function applyLut(src, dtype, lut, offset, dst) {
  withBytes([src, lut, dst], (s, l, d) => {
    const v = typed(s, dtype);
    expectLength(d, v.length, "output");
    const last = l.length - 1;
    for (let i = 0; i < v.length; i++) {
      const k = v[i] - offset;
      d[i] = l[k <= 0 ? 0 : k >= last ? last : k];
    }
  });
}

/** Grey levels of 16-bit *src* through a split table: z = high[H] + low[L] (int32 tables),
 * grey = clamp(z >> 6, 0, 255), z < 0 -> 0. */
export function applySplitLut(src, high, low, dst) {
  withBytes([src, high, low, dst], (s, h, l, d) => {
    const v = typed(s, "uint16");
    const hi = typed(h, "int32");
    const lo = typed(l, "int32");
    expectLength(hi, 256, "high table");
    expectLength(lo, 256, "low table");
    expectLength(d, v.length, "output");
    const table = new Uint8Array(65536);
    for (let H = 0; H < 256; H++) {
      for (let L = 0; L < 256; L++) {
        const z = hi[H] + lo[L];
        table[(H << 8) | L] = z < 0 ? 0 : z >= 256 << 6 ? 255 : z >> 6;
      }
    }
    for (let i = 0; i < v.length; i++) d[i] = table[v[i]];
  });
}

/** RGBA (alpha 255) from one grey byte per pixel (`channels` 1) or interleaved RGB (3). */
export function toRgba(src, channels, dst) {
  withBytes([src, dst], (s, d) => {
    const n = s.length / channels;
    expectLength(d, 4 * n, "RGBA output");
    if (channels === 1 && d.byteOffset % 4 === 0) {
      const words = new Uint32Array(d.buffer, d.byteOffset, n);
      for (let i = 0; i < n; i++) words[i] = (s[i] * 0x010101) | 0xff000000;
      return;
    }
    for (let i = 0, o = 0; i < n; i++, o += 4) {
      const k = i * channels;
      d[o] = s[k];
      d[o + 1] = s[k + channels - (channels === 1 ? 1 : 2)];
      d[o + 2] = s[k + channels - 1];
      d[o + 3] = 255;
    }
  });
}

/** Paint (r, g, b) into RGBA *dst* wherever *mask* is nonzero. */
export function drawMask(mask, dst, r, g, b) {
  withBytes([mask, dst], (m, d) => {
    expectLength(d, 4 * m.length, "RGBA output");
    for (let i = 0; i < m.length; i++) {
      if (m[i]) { const o = 4 * i; d[o] = r; d[o + 1] = g; d[o + 2] = b; }
    }
  });
}

/** Interleaved 8-bit YBR_FULL to RGB in 16-bit fixed point (the coefficients from Python). */
export function ybrFullToRgb(src, dst, rcr, gcb, gcr, bcb) {
  withBytes([src, dst], (s, d) => {
    expectLength(d, s.length, "output");
    const half = 1 << 15;
    const clip = (x) => (x < 0 ? 0 : x > 255 ? 255 : x);
    for (let i = 0; i < s.length; i += 3) {
      const y = s[i], cb = s[i + 1] - 128, cr = s[i + 2] - 128;
      d[i] = clip(y + ((rcr * cr + half) >> 16));
      d[i + 1] = clip(y + ((gcb * cb + gcr * cr + half) >> 16));
      d[i + 2] = clip(y + ((bcb * cb + half) >> 16));
    }
  });
}

/** uint16 clamp(floor((v - base) / 2**shift), 0, 65535) of 32-bit or narrower integers. */
export function toIndex16(src, dtype, base, shift, dst) {
  withBytes([src, dst], (s, d) => {
    const v = typed(s, dtype);
    const { out, done } = output(d, "uint16");
    expectLength(out, v.length, "output");
    const scale = 2 ** shift;
    for (let i = 0; i < v.length; i++) {
      const k = Math.floor((v[i] - base) / scale);
      out[i] = k <= 0 ? 0 : k >= 65535 ? 65535 : k;
    }
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
    for (let j = 0; j < typesize; j++) {
      const plane = j * n;
      if (inverse) for (let i = 0; i < n; i++) d[i * typesize + j] = s[plane + i];
      else for (let i = 0; i < n; i++) d[plane + i] = s[i * typesize + j];
    }
  });
}

/** The 8x8 bit transpose of the little-endian 64-bit word (lo, hi): byte k bit b <-> byte b
 * bit k (the same three steps as kernels/stdlib_shuffle.py, on two 32-bit halves). */
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
    const n8 = n / 8;
    const word = [0, 0];
    for (let j = 0; j < typesize; j++) {
      for (let g = 0; g < n8; g++) {
        let lo = 0, hi = 0;
        for (let k = 0; k < 4; k++) {
          lo |= (inverse ? s[(j * 8 + k) * n8 + g] : s[(g * 8 + k) * typesize + j]) << (8 * k);
          hi |= (inverse ? s[(j * 8 + k + 4) * n8 + g] : s[(g * 8 + k + 4) * typesize + j]) << (8 * k);
        }
        transpose8(lo, hi, word);
        for (let k = 0; k < 4; k++) {
          const a = (word[0] >>> (8 * k)) & 0xff, b = (word[1] >>> (8 * k)) & 0xff;
          if (inverse) { d[(g * 8 + k) * typesize + j] = a; d[(g * 8 + k + 4) * typesize + j] = b; }
          else { d[(j * 8 + k) * n8 + g] = a; d[(j * 8 + k + 4) * n8 + g] = b; }
        }
      }
    }
  });
}
