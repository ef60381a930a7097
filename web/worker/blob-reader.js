// Blob reads on a thread of their own, for the runtime's worker.
//
// Reading a Blob into an ArrayBuffer costs the reading thread far more than the bytes'
// copy: the browser hands them over through data pipes, and the buffer is fresh memory.
// The runtime's thread also runs Python, which describes the first files while the others
// are read; so a second worker reads, and transfers each buffer back without a copy (the
// figures: docs/measurements.md). Where no worker can be started (a page's policy may
// forbid it), or its script fails to load, the runtime's thread reads instead.

export class BlobReader {
  /** Bytes the reader's worker has read so far (not those read here, as a fallback). */
  bytesRead = 0;
  #worker = null;
  #broken = false;
  #calls = new Map(); // id -> {blob, resolve, reject}
  #nextId = 0;

  /** Start the reader's worker ahead of the first read (reads start it otherwise). */
  start() {
    if (!this.#broken) this.#start();
  }

  /** @param {Blob} blob  @returns {Promise<ArrayBuffer>} its bytes (rejects as Blob.arrayBuffer does) */
  read(blob) {
    if (this.#broken || !this.#start()) return blob.arrayBuffer();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { blob, resolve, reject });
      this.#worker.postMessage({ id, blob });
    });
  }

  #start() {
    if (this.#worker) return true;
    try {
      this.#worker = new Worker(new URL("./reader.js", import.meta.url), { type: "module", name: "dicomforge-reader" });
    } catch {
      this.#broken = true;
      return false;
    }
    this.#worker.onmessage = ({ data: { id, buffer, error } }) => {
      const call = this.#calls.get(id);
      this.#calls.delete(id);
      if (!call) return;
      if (error) {
        call.reject(Object.assign(new Error(error.message), { name: error.name }));
      } else {
        this.bytesRead += buffer.byteLength;
        call.resolve(buffer);
      }
    };
    // the worker could not load (or died): read here, the pending reads included
    this.#worker.onerror = (event) => {
      event.preventDefault?.();
      this.#worker.terminate();
      this.#worker = null;
      this.#broken = true;
      for (const { blob, resolve, reject } of this.#calls.values()) blob.arrayBuffer().then(resolve, reject);
      this.#calls.clear();
    };
    return true;
  }
}
