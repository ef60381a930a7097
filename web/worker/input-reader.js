// Reading a job's inputs into Python as the page sends them: Blobs (dropped Files) become
// dicomforge.inputs.NamedInput objects, kept in the InputStore for the next jobs.
//
// How, and why (the figures: docs/measurements.md):
// - Blobs from BIG_BLOB on are copied into Python in READ_CHUNK pieces, straight into a
//   bytearray of their size: no whole-file ArrayBuffer on the JS heap beside the wasm copy.
// - Jobs that read only headers get HEAD_BYTES of a big Blob and a `load` for the rest.
// - Smaller Blobs are read together, BUNDLE_BYTES at a time, BUNDLES_IN_FLIGHT at once:
//   a few reads in flight beat one big read and many small ones (inputs.split_buffer views each).
// - Reads happen on the Blob reader's thread (blob-reader.js), so the runtime's thread runs
//   Python meanwhile.
// - A Blob that would take the job's inputs past the input budget is refused: only its head is
//   read (inputs.oversized), so it is still described and a job needing it names its size.
import { Slots } from "./arrivals.js";

const BIG_BLOB = 4 << 20;
const READ_CHUNK = 16 << 20;
const READ_AHEAD = 3; // chunk reads in flight at once (the browser serves them in parallel)
const BUNDLE_BYTES = 8 << 20;
const BUNDLES_IN_FLIGHT = 8;
export const HEAD_BYTES = 1 << 20;

/** A file the worker could not read, as the error the page lists for it. */
export function unreadable(name, error) {
  return {
    name: "DicomForgeError",
    kind: "InputError",
    message: `cannot be read (${error?.name ?? "Error"}: ${error?.message ?? error}); was it moved, changed or deleted after it was chosen?`,
    file: name,
  };
}

async function readBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(await data.arrayBuffer()); // File / Blob
}

export class InputReader {
  #readSlots = new Slots(BUNDLES_IN_FLIGHT); // bundle reads in flight, across jobs
  #loaded = []; // bytearrays a partial input's `load` handed to Python, released after the job

  /**
   * @param {{pyodide: object, python: import("./stages.js").PythonEntryPoints,
   *   store: import("./input-store.js").InputStore, blobReader: import("./blob-reader.js").BlobReader}} parts
   */
  constructor({ pyodide, python, store, blobReader }) {
    this.pyodide = pyodide;
    this.python = python;
    this.store = store;
    this.blobReader = blobReader;
  }

  /**
   * Read a job's inputs as the page sends them (arrivals.js), one wave at a time (the inputs
   * whose data came together): each input kept from an earlier job where it serves, else read
   * now and kept under its key. Each input made, or failed, goes to `reading.made[i]` (`{input,
   * owned, reused}` or `{error}`), its index to `reading.ready`, and notifies `reading.changes`.
   * Resolves once every read has ended (or the job, before the page sent every input).
   */
  async readInputs(arrivals, partial, reading) {
    const { inputs } = arrivals;
    const waves = [];
    let held = 0; // bytes of Blob inputs held whole so far
    for (let wave = await arrivals.take(); wave.length; wave = await arrivals.take()) {
      const refused = new Set();
      for (const i of wave) {
        const { data } = inputs[i];
        if (!(data instanceof Blob)) continue;
        if (held + data.size > this.store.budget) refused.add(i);
        else held += data.size;
      }
      this.#makeRoom(inputs, wave, partial, refused);
      waves.push(this.#readWave(inputs, wave, partial, refused, reading));
    }
    await Promise.all(waves);
  }

  /** Free what partial inputs loaded for the job that just ended. */
  releaseLoaded() {
    for (const bytes of this.#loaded.splice(0)) bytes.destroy();
  }

  /** Room for this wave: kept inputs the job does not use go first (InputStore.makeRoom). */
  #makeRoom(inputs, wave, partial, refused) {
    const used = this.store.usedKeys(inputs.map((input) => input.key), partial);
    let incoming = 0;
    for (const i of wave) {
      const { data, key } = inputs[i];
      if (refused.has(i) || !(data instanceof Blob) || used.has(key)) continue;
      incoming += partial && data.size >= BIG_BLOB ? HEAD_BYTES : data.size;
    }
    this.store.makeRoom(used, incoming);
  }

  async #readWave(inputs, wave, partial, refused, reading) {
    const made = (i, entry) => {
      reading.made[i] = entry;
      reading.ready.push(i);
      reading.changes.notify();
    };
    const failed = (i, error) => made(i, { error: unreadable(inputs[i].name, error) });
    const small = [];
    const reads = [];
    for (const i of wave) {
      const item = inputs[i];
      const key = !refused.has(i) && item.data instanceof Blob ? item.key : undefined;
      const kept = key ? this.store.take(key, partial) : null;
      if (kept) {
        made(i, { input: kept, owned: false, reused: true });
      } else if (!refused.has(i) && item.data instanceof Blob && item.data.size < BIG_BLOB) {
        small.push(i);
      } else {
        reads.push(this.#toPython(item, partial, refused.has(i)).then(
          (input) => made(i, this.#keep(item, input, key, partial)),
          (error) => failed(i, error),
        ));
      }
    }
    if (small.length) {
      const items = small.map((i) => inputs[i]);
      reads.push(this.#readBundles(
        items,
        (k, input) => made(small[k], this.#keep(items[k], input, items[k].key, partial)),
        (k, error) => failed(small[k], error),
      ));
    }
    await Promise.all(reads); // reads overlap
  }

  /** Keep *input* (read from *item*) under *key*, when it has one. */
  #keep(item, input, key, partial) {
    const head = partial && item.data.size >= BIG_BLOB;
    const owned = this.store.keep(key, input, head ? HEAD_BYTES : item.data?.size ?? 0, head);
    return { input, owned };
  }

  /** One input as a Python NamedInput: whole, chunk by chunk, or its head with a `load`. */
  async #toPython({ name, data }, partial, refused) {
    if (data instanceof Blob && refused) {
      const head = await this.#head(data); // over the budget: its header still says what it is
      try {
        return this.python.oversized(name, head, data.size, this.store.budget);
      } finally {
        head.destroy();
      }
    }
    if (data instanceof Blob && data.size >= BIG_BLOB) return partial ? this.#partial(name, data) : this.#whole(name, data);
    const bytes = this.pyodide.toPy(await readBytes(data));
    try {
      return this.python.NamedInput(name, bytes);
    } finally {
      bytes.destroy(); // the NamedInput holds the Python object; the proxy would keep it alive
    }
  }

  /** The head of a big Blob, with a `load` that reads the rest when Python asks for it. */
  async #partial(name, data) {
    const head = await this.#head(data);
    const load = () => {
      const whole = this.#bytearray(data.size);
      const reader = new FileReaderSync();
      for (let at = 0; at < data.size; at += READ_CHUNK) {
        this.#fill(whole, at, new Uint8Array(reader.readAsArrayBuffer(data.slice(at, at + READ_CHUNK))));
      }
      this.#loaded.push(whole);
      return whole; // Python receives the bytearray itself
    };
    try {
      return this.python.NamedInput.callKwargs(name, head, { load });
    } finally {
      head.destroy();
    }
  }

  /** A big Blob copied chunk by chunk into one bytearray, READ_AHEAD reads in flight. */
  async #whole(name, data) {
    const whole = this.#bytearray(data.size);
    try {
      const reads = [];
      let next = 0;
      const readNext = () => {
        if (next >= data.size) return;
        reads.push([next, this.blobReader.read(data.slice(next, next + READ_CHUNK))]);
        next += READ_CHUNK;
      };
      for (let k = 0; k < READ_AHEAD; k++) readNext();
      while (reads.length) {
        const [at, read] = reads.shift();
        const chunk = new Uint8Array(await read);
        readNext();
        this.#fill(whole, at, chunk);
      }
      return this.python.NamedInput(name, whole);
    } finally {
      whole.destroy();
    }
  }

  /**
   * Read small Blobs BUNDLE_BYTES at a time as one Blob each: one read and one copy into
   * Python per bundle. Each input is a view of its bundle's bytearray (inputs.split_buffer),
   * which lives until the last of them is released. A bundle that cannot be read (a file
   * moved, changed or deleted since it was dropped) is read file by file, so that only the
   * files that cannot be read fail. *onInput(k, input)* gets the k-th input, *onError(k, error)*
   * its failure.
   */
  async #readBundles(items, onInput, onError) {
    const bundles = [[]];
    let bytes = 0;
    items.forEach((item, k) => {
      if (bytes >= BUNDLE_BYTES) {
        bundles.push([]);
        bytes = 0;
      }
      bundles.at(-1).push(k);
      bytes += item.data.size;
    });
    const reads = bundles.map(async (bundle) => {
      await this.#readSlots.take(); // given back once the bundle is copied into Python, below
      return this.blobReader.read(new Blob(bundle.map((k) => items[k].data)));
    });
    reads.forEach((read) => read.catch(() => {})); // awaited below; no unhandled rejection meanwhile
    for (let b = 0; b < bundles.length; b++) {
      try {
        await this.#splitBundle(items, bundles[b], reads[b], onInput, onError);
        reads[b] = null;
      } finally {
        this.#readSlots.give();
      }
    }
  }

  async #splitBundle(items, bundle, read, onInput, onError) {
    let bytesRead;
    try {
      bytesRead = new Uint8Array(await read);
    } catch {
      for (const k of bundle) {
        await this.#toPython(items[k], false, false).then((input) => onInput(k, input), (error) => onError(k, error));
      }
      return;
    }
    const buffer = this.#bytearray(bytesRead.length);
    const names = this.pyodide.toPy(bundle.map((k) => items[k].name));
    const sizes = this.pyodide.toPy(bundle.map((k) => items[k].data.size));
    let list = null;
    try {
      this.#fill(buffer, 0, bytesRead);
      list = this.python.splitBuffer(buffer, names, sizes);
      bundle.forEach((k, j) => onInput(k, list.get(j)));
    } finally {
      for (const proxy of [list, buffer, names, sizes]) proxy?.destroy();
    }
  }

  /** The first HEAD_BYTES of a Blob, as Python bytes (the caller destroys the proxy). */
  async #head(data) {
    return this.pyodide.toPy(new Uint8Array(await data.slice(0, HEAD_BYTES).arrayBuffer()));
  }

  #bytearray(size) {
    const make = this.pyodide.globals.get("bytearray");
    try {
      return make(size);
    } finally {
      make.destroy();
    }
  }

  /** Copy *chunk* into the Python bytearray *target* at *offset* (a fresh view each time:
   *  wasm memory may have grown, and moved, since the last one). */
  #fill(target, offset, chunk) {
    const buffer = target.getBuffer("u8");
    try {
      buffer.data.set(chunk, offset);
    } finally {
      buffer.release();
    }
  }
}
