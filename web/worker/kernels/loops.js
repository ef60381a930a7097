// The js pixel backend's loops over typed arrays (kernels.js dispatches to them). Each is a
// top-level function taking everything as arguments: V8 compiles a loop over locals far
// better than one reading a closure's variables (measured 2x, docs/measurements.md).

export const INT16_MIN = -32768;
const INT16_MAX = 32767;
const MAGIC = 6755399441055744.0; // 1.5 * 2**52: (x + MAGIC) - MAGIC rounds x half to even

export function swap16(a, b) {
  const n = a.length;
  for (let i = 0; i < n; i++) { const v = a[i]; b[i] = (v >>> 8) | ((v & 0xff) << 8); }
}

export function swap32(a, b) {
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    b[i] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
  }
}

export function swapBytes(s, d, size) {
  for (let i = 0; i < s.length; i += size) for (let k = 0; k < size; k++) d[i + k] = s[i + size - 1 - k];
}

export function intRange(v, out) {
  const n = v.length;
  let lo = n ? v[0] : NaN, hi = lo;
  for (let i = 1; i < n; i++) {
    const x = v[i];
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  out[0] = lo; out[1] = hi; out[2] = 0;
}

export function floatRange(v, finiteOnly, out) {
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

export function firstZero(v) {
  for (let i = 0; i < v.length; i++) if (v[i] === 0) return v[i];
  return 0;
}

export function rescaleToInt16Loop(v, out, slope, intercept) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const x = (v[i] - intercept) / slope;
    out[i] = x >= INT16_MAX ? INT16_MAX : x <= INT16_MIN || x !== x ? INT16_MIN : ((x + MAGIC) - MAGIC) | 0;
  }
}

export function affine(v, out, slope, intercept) {
  const n = v.length;
  for (let i = 0; i < n; i++) out[i] = v[i] * slope + intercept;
}

export function affineTruncated(v, out, slope, intercept, lo, hi) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const x = Math.trunc(v[i] * slope + intercept);
    if (!(x >= lo && x <= hi)) return false; // NaN, infinite or out of range
    out[i] = x;
  }
  return true;
}

export function packLoop(m, d) {
  const n = m.length, whole = n & ~7;
  for (let i = 0, o = 0; i < whole; i += 8, o++) {
    d[o] = (m[i] !== 0) | ((m[i + 1] !== 0) << 1) | ((m[i + 2] !== 0) << 2) | ((m[i + 3] !== 0) << 3)
      | ((m[i + 4] !== 0) << 4) | ((m[i + 5] !== 0) << 5) | ((m[i + 6] !== 0) << 6) | ((m[i + 7] !== 0) << 7);
  }
  for (let i = whole; i < n; i++) if (m[i]) d[i >> 3] |= 1 << (i & 7);
}

export function unpackLoop(s, d, count) {
  for (let i = 0; i < count; i++) d[i] = (s[i >> 3] >> (i & 7)) & 1;
}

export function equalBytesLoop(v, want, d) {
  const n = v.length;
  for (let i = 0; i < n; i++) d[i] = v[i] === want ? 1 : 0;
}

export function equalBitsLoop(v, want, d) {
  const n = v.length, whole = n & ~7;
  for (let i = 0, o = 0; i < whole; i += 8, o++) {
    d[o] = (v[i] === want) | ((v[i + 1] === want) << 1) | ((v[i + 2] === want) << 2) | ((v[i + 3] === want) << 3)
      | ((v[i + 4] === want) << 4) | ((v[i + 5] === want) << 5) | ((v[i + 6] === want) << 6) | ((v[i + 7] === want) << 7);
  }
  for (let i = whole; i < n; i++) if (v[i] === want) d[i >> 3] |= 1 << (i & 7);
}

export function equalWords(w, low, high, d, bits) {
  const n = w.length / 2;
  for (let i = 0; i < n; i++) {
    const hit = w[2 * i] === low && w[2 * i + 1] === high;
    if (bits) { if (hit) d[i >> 3] |= 1 << (i & 7); } else d[i] = hit ? 1 : 0;
  }
}

export function markSeen(v, seen, offset) {
  const n = v.length;
  for (let i = 0; i < n; i++) seen[v[i] + offset] = 1;
}

export function signExtend(v, out, shift) {
  const n = v.length;
  for (let i = 0; i < n; i++) out[i] = (v[i] << shift) >> shift;
}

export function keepLow(v, out, mask) {
  const n = v.length;
  for (let i = 0; i < n; i++) out[i] = v[i] & mask;
}

export function lookUp(v, t, d) {
  const n = v.length;
  for (let i = 0; i < n; i++) d[i] = t[v[i]];
}

export function clampedLookUp(v, l, offset, d) {
  const n = v.length, last = l.length - 1;
  for (let i = 0; i < n; i++) {
    const k = v[i] - offset;
    d[i] = l[k <= 0 ? 0 : k >= last ? last : k];
  }
}

export function splitTable(hi, lo, table) {
  const top = 256 << 6;
  for (let H = 0; H < 256; H++) {
    const base = hi[H];
    for (let L = 0; L < 256; L++) {
      const z = base + lo[L];
      table[(H << 8) | L] = z < 0 ? 0 : z >= top ? 255 : z >> 6;
    }
  }
}

export function greyWords(s, words) {
  const n = s.length;
  for (let i = 0; i < n; i++) words[i] = (s[i] * 0x010101) | 0xff000000;
}

export function greyBytes(s, d) {
  for (let i = 0, o = 0; i < s.length; i++, o += 4) { const g = s[i]; d[o] = g; d[o + 1] = g; d[o + 2] = g; d[o + 3] = 255; }
}

export function rgbBytes(s, d) {
  for (let i = 0, o = 0; i < s.length; i += 3, o += 4) { d[o] = s[i]; d[o + 1] = s[i + 1]; d[o + 2] = s[i + 2]; d[o + 3] = 255; }
}

export function paint(m, d, r, g, b) {
  const n = m.length;
  for (let i = 0; i < n; i++) {
    if (m[i] !== 0) { const o = 4 * i; d[o] = r; d[o + 1] = g; d[o + 2] = b; }
  }
}

export function ybrLoop(s, d, rcr, gcb, gcr, bcb) {
  const half = 1 << 15, n = s.length - (s.length % 3);
  for (let i = 0; i < n; i += 3) {
    const y = s[i], cb = s[i + 1] - 128, cr = s[i + 2] - 128;
    const r = y + ((rcr * cr + half) >> 16), g = y + ((gcb * cb + gcr * cr + half) >> 16), b = y + ((bcb * cb + half) >> 16);
    d[i] = r < 0 ? 0 : r > 255 ? 255 : r;
    d[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
    d[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
  }
}

export function indexLoop(v, out, base, scale) {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const k = Math.floor((v[i] - base) / scale);
    out[i] = k <= 0 ? 0 : k >= 65535 ? 65535 : k;
  }
}

export function shuffleLoop(s, d, n, typesize) {
  for (let j = 0; j < typesize; j++) {
    const plane = j * n;
    for (let i = 0, k = j; i < n; i++, k += typesize) d[plane + i] = s[k];
  }
}

export function unshuffleLoop(s, d, n, typesize) {
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

/**
 * Bitshuffle (`inverse` false) or its inverse over n8 groups of 8 elements: each 8x8 block of
 * bits (byte j of 8 elements <-> 8 bit planes of group g) gathered at one stride, transposed
 * and scattered at the other. Elements side: start g * 8 * typesize + j, stride typesize;
 * planes side: start j * 8 * n8 + g, stride n8.
 */
export function bitshuffleLoop(s, d, n8, typesize, word, inverse = false) {
  const [fromStride, toStride] = inverse ? [n8, typesize] : [typesize, n8];
  for (let j = 0; j < typesize; j++) {
    for (let g = 0; g < n8; g++) {
      const element = g * 8 * typesize + j; // byte j of element 8g
      const plane = j * 8 * n8 + g;
      const e = inverse ? plane : element;
      const p = inverse ? element : plane;
      const lo = s[e] | (s[e + fromStride] << 8) | (s[e + 2 * fromStride] << 16) | (s[e + 3 * fromStride] << 24);
      const hi = s[e + 4 * fromStride] | (s[e + 5 * fromStride] << 8) | (s[e + 6 * fromStride] << 16) | (s[e + 7 * fromStride] << 24);
      transpose8(lo, hi, word);
      const a = word[0], b = word[1];
      d[p] = a; d[p + toStride] = a >>> 8; d[p + 2 * toStride] = a >>> 16; d[p + 3 * toStride] = a >>> 24;
      d[p + 4 * toStride] = b; d[p + 5 * toStride] = b >>> 8; d[p + 6 * toStride] = b >>> 16; d[p + 7 * toStride] = b >>> 24;
    }
  }
}
