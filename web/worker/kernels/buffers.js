// Views of Python's buffers for the js pixel backend (kernels.js): Python passes bytes,
// bytearray or memoryview objects as PyProxies; a kernel takes a view of each on the wasm heap
// (getBuffer, no copy), and releases them before it returns, also when it throws. The heap
// can grow while buffers are acquired (getBuffer allocates), which detaches earlier views, so
// every view is made afresh on the heap as it is once all buffers are held, and none is kept
// between calls. One copy remains here: an input whose address is not a multiple of its
// element size (a memoryview slice at an odd offset) is copied to an aligned array first,
// because typed arrays cannot view it in place.

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

export function expectLength(view, length, what) {
  if (view.length !== length) throw new RangeError(`${what} holds ${view.length} elements, the kernel needs ${length}`);
}

/** An output view of *dtype*; when misaligned, a scratch array copied back by `done`. */
export function output(bytes, dtype) {
  const Typed = TYPED[dtype];
  if (bytes.byteOffset % Typed.BYTES_PER_ELEMENT === 0) return { out: typed(bytes, dtype), done() {} };
  const out = new Typed(bytes.byteLength / Typed.BYTES_PER_ELEMENT);
  return { out, done: () => bytes.set(new Uint8Array(out.buffer)) };
}
