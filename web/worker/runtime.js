// The worker's one object, exposed to the page through comlink (worker.js): it loads the
// runtime (stages.js), then runs dicomforge jobs (job-loop.js) over inputs read into Python
// (input-reader.js) and kept between jobs (input-store.js). Its methods are the contract's
// (contract.js); each returns a structured value, never a thrown Error.
import { transfer } from "comlink";
import JSZip from "jszip";
import { isArchive, openArchive } from "./archives.js";
import { Arrivals, Changes } from "./arrivals.js";
import { BlobReader } from "./blob-reader.js";
import { compileCodec } from "./codec-assets.js";
import { Codecs } from "./codecs.js";
import { BENCH_JOB_NAMES } from "./contract.js";
import { FIRST_JOB_HEAP, HeapWriter } from "./heap.js";
import { InputReader } from "./input-reader.js";
import { InputStore } from "./input-store.js";
import { driveEvents, emptyResult, inInputOrder, pythonError, withoutNulls } from "./job-loop.js";
import { loadRuntime } from "./stages.js";

// Pyodide's buffer views (getBuffer) break on wasm addresses from 2 GiB on, so a job's inputs,
// the runtime and the job's working memory (a 32 MB zip chunk, slices, pydicom) must stay
// below it (docs/measurements.md). Inputs beyond the budget are refused before anything
// is allocated for them; it is also each job's default `memoryBudget` for one volume.
const WASM_ADDRESS_LIMIT = 2 ** 31;
const JOB_HEADROOM = 256 << 20;
const MIN_BUDGET = 64 << 20;

function toProtocolError(err) {
  if (err?.name === "RuntimeLoadError") return { name: err.name, message: err.message, stage: err.stage };
  return { name: "InternalError", message: String(err?.message ?? err) };
}

export class DicomforgeWorker {
  #ready = null;
  #pyodide = null;
  #python = null; // stages.js PythonEntryPoints
  #jobs = {}; // name -> JobDescription (ReadyInfo.jobs)
  #store = new InputStore(0);
  #blobReader = new BlobReader(); // bundles and big Files' chunks are read on its thread
  #reader = null;
  #heap = null;
  #cancelled = new Set();
  #running = new Map(); // jobId -> {arrivals, changes} of a running job
  #codecs = new Codecs(compileCodec); // loaded when a job's inputs first need one

  /**
   * Start the runtime once; every later call returns the same result.
   * @param {import("./contract.js").InitOptions} options
   * @returns {Promise<import("./contract.js").ReadyInfo | {ok: false, error: import("./contract.js").ProtocolError}>}
   */
  initialize(options) {
    this.#ready ??= loadRuntime(options).then(
      ({ pyodide, python, info }) => {
        this.#pyodide = pyodide;
        this.#python = python;
        this.#jobs = info.jobs;
        const heapBytes = () => pyodide._module.HEAPU8.buffer.byteLength;
        this.#store.budget = Math.max(WASM_ADDRESS_LIMIT - heapBytes() - JOB_HEADROOM, MIN_BUDGET);
        this.#reader = new InputReader({ pyodide, python, store: this.#store, blobReader: this.#blobReader });
        this.#heap = new HeapWriter(heapBytes, (n) => python.writtenBytes(n));
        setTimeout(() => this.#afterStart(options.firstJobHeap ?? FIRST_JOB_HEAP), 0); // once the answer is sent
        return info;
      },
      (err) => ({ ok: false, error: toProtocolError(err) }),
    );
    return this.#ready;
  }

  /**
   * In the time the user takes to choose files: every job once (dicomforge.jobs.warm_up), the
   * reader's worker started, the heap written for the first job (heap.js).
   */
  #afterStart(firstJobHeap) {
    const answer = this.#python.warmUp();
    const { problems } = answer.toJs({ dict_converter: Object.fromEntries });
    answer.destroy();
    for (const problem of problems) console.error(`dicomforge warm-up: ${problem}`); // a bug: tests look for these
    this.#blobReader.start();
    this.#heap.write(firstJobHeap, () => !this.#running.size);
  }

  /**
   * Zip host-supplied files with jszip (STORE by default, or DEFLATE). A job's own outputs are
   * zipped in Python as they are made: see `run`'s `output.zip`.
   * @param {Array<{name: string, data: Uint8Array}>} files
   * @param {{compression?: "STORE"|"DEFLATE"}} [options]
   * @returns {Promise<Blob>}
   */
  async zip(files, { compression = "STORE" } = {}) {
    const archive = new JSZip();
    for (const { name, data } of files) archive.file(name, data, { binary: true });
    return archive.generateAsync({ type: "blob", compression, compressionOptions: { level: 6 } });
  }

  /**
   * The 8-bit display table of a frame for one window (dicomforge.jobs.display_table): entry
   * `v - lutOffset` is the grey of stored value v. Cheap: called per mouse move.
   * @param {object} frameInfo  the `display` of a preview result
   * @param {{center?: number, width?: number, function?: string, voi?: number}} window
   * @returns {Promise<{ok: true, lut: Uint8Array} | {ok: false, error: import("./contract.js").ProtocolError}>}
   */
  async displayLut(frameInfo, { center, width, function: fn = "LINEAR", voi } = {}) {
    const ready = await this.#ready;
    if (!ready?.ok) return { ok: false, error: ready?.error };
    const info = this.#pyodide.toPy(withoutNulls(frameInfo));
    try {
      // JS null would arrive as JsNull, not None: pass undefined for "not given"
      const answer = this.#python.displayTable(info, center ?? undefined, width ?? undefined, fn, voi ?? undefined);
      const { lut, error } = answer.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
      answer.destroy();
      return error ? { ok: false, error } : transfer({ ok: true, lut }, [lut.buffer]);
    } catch (err) {
      return { ok: false, error: pythonError(err) };
    } finally {
      info.destroy();
    }
  }

  /**
   * *inputs* with each zip archive among them replaced by its entries (archives.js): what the
   * user dropped, as if the archives' files had been dropped. A refused entry, or an archive
   * that cannot be opened, is an error naming it; the other inputs and entries still come.
   * @param {Array<{name: string, data: Blob}>} inputs
   * @param {(p: {done: number, total: number, file: string}) => void} [onProgress]  per entry inflated
   * @returns {Promise<{ok: boolean, files: Array<{name: string, data: Blob}>, errors: import("./contract.js").ProtocolError[], error?: object}>}
   */
  async openArchives(inputs, onProgress) {
    const ready = await this.#ready;
    if (!ready?.ok) return { ok: false, files: [], errors: [], error: ready?.error };
    const files = [];
    const errors = [];
    for (const input of inputs) {
      if (!isArchive(input)) {
        files.push(input);
        continue;
      }
      try {
        const opened = openArchive({ python: this.#python }, input, this.#store.budget,
          (done, total) => onProgress?.({ done, total, file: input.name }));
        files.push(...opened.files);
        errors.push(...opened.errors);
      } catch (err) {
        const error = pythonError(err);
        errors.push({ ...error, file: error.file ?? input.name });
      }
    }
    return { ok: true, files, errors };
  }

  /** Ask the running job *jobId* to stop at its next step. */
  cancel(jobId) {
    this.#cancelled.add(jobId);
    this.#running.get(jobId)?.changes.notify(); // (it may be waiting for inputs)
  }

  /**
   * Data for the inputs of job *jobId* that `run` was told come later (`later: true`).
   * @param {number} jobId
   * @param {Array<[number, Blob]>} pairs  (index in the job's inputs, data)
   */
  addInputs(jobId, pairs) {
    this.#running.get(jobId)?.arrivals.add(pairs);
  }

  /**
   * Run job *name* over the inputs; progress goes to `onProgress` (a comlink proxy). The job
   * starts as soon as the first inputs are read (see contract.js JobDescription.feed).
   * @param {number} jobId  chosen by the caller, used by `cancel`
   * @param {string} name   a job of contract.js JOB_NAMES or BENCH_JOB_NAMES
   * @param {import("./contract.js").JobInput[]} inputs
   * @param {object} options  the job's options, in camelCase (contract.js)
   * @param {(p: import("./contract.js").ProgressEvent) => void} [onProgress]
   * @param {import("./contract.js").OutputOptions} [output]
   * @returns {Promise<import("./contract.js").JobResult>}
   */
  async run(jobId, name, inputs, options = {}, onProgress, output = {}) {
    this.#heap?.stop(); // the job's allocations take the pages written so far
    const arrivals = new Arrivals(inputs); // before any await: addInputs may come next
    const reading = { made: new Array(inputs.length), ready: [], changes: new Changes(), done: false, error: null };
    this.#running.set(jobId, { arrivals, changes: reading.changes });
    const ready = await this.#ready;
    if (!ready?.ok) {
      this.#running.delete(jobId);
      return { ...emptyResult(), ok: false, error: ready?.error };
    }
    const out = emptyResult();
    const t0 = performance.now();
    const readerBytes = this.#blobReader.bytesRead;
    const partial = Boolean(this.#jobs[name]?.partial);
    // codec families the fed inputs need, and how many fed inputs were asked about
    const wanted = this.#jobs[name]?.pixels ? { families: new Set(), seen: 0 } : null;
    const decoding = {}; // codec family -> {frames, ms} of this job
    let feed = null;
    let events = null;
    let readAll = Promise.resolve();
    try {
      readAll = this.#reader.readInputs(arrivals, partial, reading).then(
        () => {
          reading.done = true;
          out.timings.read = Math.round(performance.now() - t0);
        },
        (error) => (reading.error = error),
      ).finally(() => reading.changes.notify());
      feed = this.#python.InputFeed(inputs.length);
      events = this.#start(name, feed, options, inputs, partial, output, out);
      const cancelled = () => this.#cancelled.has(jobId);
      out.timings.python = Math.round(await driveEvents(events, {
        out, onProgress, cancelled,
        feed: () => this.#feed(feed, reading, out, wanted),
        prepare: () => (wanted?.families.size ? this.#loadCodecs(wanted.families, out) : null),
        beforeStep: () => (this.#codecs.stats = decoding), // (this job's decoding times)
        readingDone: () => reading.done,
        waitForInputs: async () => {
          if (reading.error) throw reading.error;
          if (reading.done) throw new Error(`job ${name} waits for inputs after all of them were read`);
          await reading.changes.next();
        },
      }));
      out.timings.total = Math.round(performance.now() - t0);
      out.timings.read ??= out.timings.total; // (when the job ended before every input was read)
      out.timings.job = out.timings.total - out.timings.read;
      out.memory = { wasm: this.#pyodide._module.HEAPU8.buffer.byteLength }; // wasm memory only grows: its peak
      if (Object.keys(decoding).length) out.timings.decode = decoding;
    } catch (err) {
      out.ok = false;
      out.error = pythonError(err);
    } finally {
      this.#running.delete(jobId);
      arrivals.close(); // a job that ended early reads nothing more
      await readAll;
      events?.destroy();
      feed?.destroy();
      this.#release(reading, out, readerBytes);
      this.#cancelled.delete(jobId);
    }
    inInputOrder(out, inputs);
    if (out.zip) {
      const { parts, entries } = out.zip;
      out.zip = out.ok ? { blob: new Blob(parts, { type: "application/zip" }), entries } : undefined;
    }
    return transfer(out, out.files.map((f) => f.data.buffer));
  }

  /** The job's Python event generator (zipped when asked); the memory budget less other jobs' kept inputs. */
  #start(name, feed, options, inputs, partial, output, out) {
    const start = BENCH_JOB_NAMES.includes(name) ? this.#python.benchStart() : this.#python.start;
    const keptForOthers = this.#store.keptForOthers(inputs.map((input) => input.key), partial);
    const memoryBudget = Math.max(this.#store.budget - keptForOthers, MIN_BUDGET);
    const pyOptions = this.#pyodide.toPy(withoutNulls({ memoryBudget, ...options }));
    try {
      const events = start(name, feed, pyOptions, "js");
      if (!output.zip) return events;
      out.zip = { parts: [], entries: [] };
      try {
        return this.#python.zipEvents(events, output.zip.compression ?? "STORE");
      } finally {
        events.destroy();
      }
    } finally {
      pyOptions.destroy();
    }
  }

  /**
   * Hand the job the inputs made since the last call (a failed one: its error, and one input
   * fewer to wait for). Returns whether there was anything to hand over.
   */
  #feed(feed, reading, out, wanted) {
    const ready = reading.ready.splice(0);
    let added = 0;
    for (const i of ready) {
      const entry = reading.made[i];
      if (entry.error) {
        feed.missing(1);
        out.errors.push(entry.error);
      } else {
        feed.add(entry.input, i);
        added += 1;
      }
    }
    if (wanted && added) {
      // the codecs these inputs need, asked of Python's own list of them (the feed's)
      const fresh = feed.arrived_since(wanted.seen);
      const families = this.#python.wantedCodecs(fresh);
      for (const family of families) wanted.families.add(family);
      families.destroy();
      fresh.destroy();
      wanted.seen += added;
    }
    return ready.length > 0;
  }

  /** Load the codecs of *wanted* (emptied); one that cannot load is a warning, and its files' errors say the rest. */
  async #loadCodecs(wanted, out) {
    const families = [...wanted];
    wanted.clear();
    const problems = await this.#codecs.ensure(families, (family, decode) => this.#python.registerCodec(family, decode));
    for (const message of problems) out.warnings.push({ file: null, message });
  }

  /** After a job: what it read and does not keep is freed; its reading figures go to `out.inputs`. */
  #release(reading, out, readerBytes) {
    const made = reading.made.filter((entry) => entry?.input);
    out.inputs = {
      kept: made.filter((m) => m.reused).length,
      read: made.filter((m) => !m.reused).length,
      readerBytes: this.#blobReader.bytesRead - readerBytes,
    };
    for (const { input, owned } of made) if (owned) input.destroy();
    this.#reader.releaseLoaded();
  }
}
