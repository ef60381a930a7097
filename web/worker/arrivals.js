// A job's inputs while the page is still sending them, and the small waiting primitives the
// worker's reads use. Posting a dropped File makes the browser look it up on disk on the
// page's thread (docs/measurements.md), so the page sends Files in
// batches after the job has started (client.js) and the worker reads the first batches
// while the page looks up the next ones. Knows nothing of Python or the DOM.

/** The data of a job's inputs, arriving by index (in any order): `inputs[i].data` is set once it is here. */
export class Arrivals {
  #untaken = []; // indexes whose data is here and that `take` has not returned yet
  #missing = 0; // inputs whose data has not come
  #closed = false;
  #changes = new Changes();

  /** @param {Array<{name: string, key?: string, data?: *, later?: boolean}>} inputs  `later`: data to come */
  constructor(inputs) {
    this.inputs = inputs;
    inputs.forEach((input, i) => (input.later ? this.#missing++ : this.#untaken.push(i)));
  }

  /** Data for some of the inputs: `[index, data]` pairs. */
  add(pairs) {
    for (const [i, data] of pairs) {
      const input = this.inputs[i];
      if (!input?.later) continue; // (a page bug; the input keeps the data it has)
      input.data = data;
      delete input.later;
      this.#untaken.push(i);
      this.#missing--;
    }
    this.#changes.notify();
  }

  /** No more data will come (the job has ended): `take` stops waiting. */
  close() {
    this.#closed = true;
    this.#changes.notify();
  }

  /**
   * The indexes of the inputs whose data came since the last call, waiting for at least
   * one; an empty list once all were taken, or after `close`.
   * @returns {Promise<number[]>}
   */
  async take() {
    while (!this.#untaken.length && this.#missing > 0 && !this.#closed) await this.#changes.next();
    return this.#closed ? [] : this.#untaken.splice(0);
  }
}

/** Something that changes now and then: `next()` resolves at the next `notify()`. */
export class Changes {
  #wake = null;
  #pending = null;

  next() {
    this.#pending ??= new Promise((resolve) => (this.#wake = resolve));
    return this.#pending;
  }

  notify() {
    const wake = this.#wake;
    this.#pending = this.#wake = null;
    wake?.();
  }
}

/** At most *size* holders at once: `await slots.take()`, then `slots.give()`. */
export class Slots {
  #free;
  #queue = [];

  constructor(size) {
    this.#free = size;
  }

  take() {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }

  give() {
    const next = this.#queue.shift();
    if (next) next();
    else this.#free++;
  }
}
