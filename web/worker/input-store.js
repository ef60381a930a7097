// The inputs the worker keeps between jobs: what it read of a dropped File, kept under the
// File's key (client.js) so that describing the inputs and then exporting them reads each
// file once. Least recently used first out, within the worker's input budget.
//
// Rules (each in one method below):
// - a kept input serves a job unless it is only the head of a file and the job reads whole
//   files (`serves`);
// - before a job reads more, kept inputs it does not use are released, least recently used
//   first, until what is kept and what the job reads fit the input budget together, and those
//   of other jobs hold at most KEEP_OTHERS_BYTES (a job may need the room for what it decodes);
// - a job's memory budget is the input budget less what stays kept for other jobs.
// Knows nothing of Python: an input is anything with a `destroy()` (a PyProxy in the worker).

/** Inputs kept from earlier jobs that a job does not use stay up to this many bytes. */
export const KEEP_OTHERS_BYTES = 256 << 20;

/** Whether a kept input serves a job: a kept head only serves jobs that read headers. */
export const serves = (kept, partial) => partial || !kept.partial;

export class InputStore {
  // key -> {input, bytes: held in memory, partial: only the file's head}; Map order = order of use
  #kept = new Map();

  /**
   * @param {number} budget  Bytes all kept inputs and a job's reads may take together.
   * @param {number} [othersLimit]  Bytes kept for other jobs that may stay beside a job.
   */
  constructor(budget, othersLimit = KEEP_OTHERS_BYTES) {
    this.budget = budget;
    this.othersLimit = othersLimit;
  }

  /** Number of kept inputs. */
  get size() {
    return this.#kept.size;
  }

  /** Bytes held by every kept input. */
  get bytes() {
    let held = 0;
    for (const entry of this.#kept.values()) held += entry.bytes;
    return held;
  }

  /** The keys (among *keys*) whose kept input serves a job (*partial*: it reads headers only). */
  usedKeys(keys, partial) {
    const used = new Set();
    for (const key of keys) {
      const kept = key && this.#kept.get(key);
      if (kept && serves(kept, partial)) used.add(key);
    }
    return used;
  }

  /** Bytes of the kept inputs whose keys are not in *used* (those of other jobs). */
  othersBytes(used) {
    let others = 0;
    for (const [key, entry] of this.#kept) if (!used.has(key)) others += entry.bytes;
    return others;
  }

  /** Bytes kept for other jobs that stay beside a job with these input *keys* (see makeRoom). */
  keptForOthers(keys, partial) {
    return Math.min(this.othersBytes(this.usedKeys(keys, partial)), this.othersLimit);
  }

  /**
   * Release kept inputs whose keys are not in *used*, least recently used first, until the
   * kept ones and *incoming* bytes fit the budget together and other jobs' hold at most othersLimit.
   */
  makeRoom(used, incoming) {
    let held = this.bytes;
    let others = this.othersBytes(used);
    for (const [key, entry] of this.#kept) {
      if (held + incoming <= this.budget && others <= this.othersLimit) break;
      if (used.has(key)) continue;
      entry.input.destroy();
      this.#kept.delete(key);
      held -= entry.bytes;
      others -= entry.bytes;
    }
  }

  /**
   * The input kept under *key* if it serves a job (*partial*), now the most recently used;
   * null otherwise. A kept head that does not serve is released (the job reads the whole file).
   */
  take(key, partial) {
    const kept = key && this.#kept.get(key);
    if (!kept) return null;
    this.#kept.delete(key); // re-inserted below: the Map's order is the order of use
    if (serves(kept, partial)) {
      this.#kept.set(key, kept);
      return kept.input;
    }
    kept.input.destroy();
    return null;
  }

  /**
   * Keep *input* under *key* (*bytes* held, *partial*: only the file's head). Returns whether
   * the caller still owns it (no key, or the same file twice in a job: not kept).
   */
  keep(key, input, bytes, partial) {
    if (!key || this.#kept.has(key)) return true;
    this.#kept.set(key, { input, bytes, partial });
    return false;
  }
}
