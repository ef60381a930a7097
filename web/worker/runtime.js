// The Pyodide host: loads the runtime in named stages, then runs dicomforge jobs.
//
// Stages (each timed, each failure reported as a RuntimeLoadError naming it):
//   core     Pyodide core from our origin (/pyodide/), fetched while the wheels download
//   fetch    pinned wheels fetched and sha256-checked (in parallel with core)
//   wheels   packaging + micropip unpacked from their wheels (their pycs, and pydicom's,
//            compiled at build time, are unpacked first so nothing is compiled here)
//   micropip micropip installs pydicom from the verified local wheel
//   numpy    only when a full package set is configured; failure is a warning, not an error
//   package  dicomforge, zipped from py/ by the build, unpacked and imported (with pydicom)
import { transfer } from "comlink";
import JSZip from "jszip";
import { Arrivals, Changes, Slots } from "./arrivals.js";
import { BlobReader } from "./blob-reader.js";
import { RUNTIME_WHEELS, RuntimeLoadError, fetchVerifiedWheel } from "./wheels.js";

const YIELD_EVERY_MS = 25; // let cancel messages in at least this often during a job
const READING_YIELD_MS = 4; // and this often while the job's inputs are still being read
const PROGRESS_STEPS = 100; // progress messages per input at most: one per 1% (every step when fewer)
const PROGRESS_MS = 50; // and at most one per this many milliseconds
// Blobs (dropped Files) from this size on are copied into Python in chunks, straight into
// a bytearray of their size: no whole-file ArrayBuffer on the JS heap beside the wasm copy.
const BIG_BLOB = 4 << 20;
const READ_CHUNK = 16 << 20;
const READ_AHEAD = 3; // chunk reads in flight at once (the browser serves them in parallel)
// Smaller Blobs are read together, about this many bytes at a time and this many reads at
// once (see #readBundles): 500 files of 140 kB took 240 ms as one read, 150 ms as 8.
const BUNDLE_BYTES = 8 << 20;
const BUNDLES_IN_FLIGHT = 8;
// Jobs that read only headers (dicomforge.jobs.PARTIAL_INPUT_JOBS) get this much of a big
// Blob, and a `load` that reads the rest only when Python asks for it.
const HEAD_BYTES = 1 << 20;
// Pyodide's buffer views (getBuffer) break on wasm addresses from 2 GiB on ("Invalid typed
// array length: -4292868896", measured with a 2.1 GB volume), so a job's inputs, the runtime
// and the job's working memory (a 32 MB zip chunk, slices, pydicom: ~140 MB measured for a
// 1.6 GB volume) must stay below it. Inputs beyond the budget are refused before anything
// is allocated for them; it is also each job's default `memory_budget` for one volume.
const WASM_ADDRESS_LIMIT = 2 ** 31;
const JOB_HEADROOM = 256 << 20;
// Inputs kept from earlier jobs that a job does not use stay up to this many bytes (least
// recently used out first): enough for hundreds of DICOM files beside a preview.
const KEEP_OTHERS_BYTES = 256 << 20;
// The first write to a page of fresh memory costs a page fault: joining 70 MB in wasm
// memory took 60 ms into fresh pages and 10 ms into pages written before (Pyodide under
// Node, on the 2-core benchmark machine). Describing 500 DICOM files and a gzip label map
// grows the wasm heap to ~180 MB (70 MB read, 33 MB inflated, their copies). After the
// warm-up, the heap is grown to this size and written once, in the time the user takes to
// choose files, so that the first job's allocations land on written pages (later jobs
// reuse the first one's). Measured with 500 files + label map dropped at once after ready,
// the same build with and without (firstJobHeap: 0), alternated: drop -> zip ready 0.96 s
// against 1.16 (medians of 6); a 300-slice series, 0.76 s against 0.89 (one run each). The
// cost: the page holds these pages from the start rather than from its first job.
const FIRST_JOB_HEAP = 192 << 20;
const HEAP_STEP = 16 << 20;

/** Whether a kept input serves a job: a kept head only serves jobs that read headers. */
const serves = (kept, partial) => partial || !kept.partial;

/** A macrotask turn without setTimeout's clamping, so queued messages are handled. */
function yieldToEventLoop() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

async function stage(name, timings, fn) {
  const start = performance.now();
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RuntimeLoadError) throw err;
    throw new RuntimeLoadError(`${name} failed to load: ${err.message}`, name);
  } finally {
    timings[name] = Math.round(performance.now() - start);
  }
}

async function fetchArchive(url, what) {
  const response = await fetch(url);
  if (!response.ok) throw new RuntimeLoadError(`${what} missing (${response.status}): run make dev`, "package");
  return new Uint8Array(await response.arrayBuffer());
}

function toProtocolError(err) {
  if (err?.name === "RuntimeLoadError") return { name: err.name, message: err.message, stage: err.stage };
  return { name: "InternalError", message: String(err?.message ?? err) };
}

export class DicomforgeWorker {
  #ready = null;
  #pyodide = null;
  #jobs = null;
  #NamedInput = null;
  #InputFeed = null;
  #zipEvents = null;
  #partialJobs = new Set();
  #oversized = null;
  #splitBuffer = null;
  #inputBudget = 0; // bytes of input one job may hold in wasm memory (see WASM_ADDRESS_LIMIT)
  #cancelled = new Set();
  // Inputs read into Python, kept between jobs by JobInput.key (least recently used first):
  // key -> {input: PyProxy of the NamedInput, bytes: held in wasm memory, partial: head only}
  #kept = new Map();
  #readSlots = new Slots(BUNDLES_IN_FLIGHT); // bundle reads in flight, across jobs (#readBundles)
  #blobReader = new BlobReader(); // bundles and big Files' chunks are read on its thread
  #running = new Map(); // jobId -> {arrivals, changes} of a running job
  #heapWriting = false; // #writeHeap holds memory
  #loaded = []; // bytearrays a partial input's `load` handed to Python, released after the job

  /**
   * Start the runtime once; every later call returns the same result.
   * @param {import("./protocol.js").InitOptions} options
   * @returns {Promise<import("./protocol.js").ReadyInfo | {ok: false, error: import("./protocol.js").ProtocolError}>}
   */
  initialize(options) {
    this.#ready ??= this.#load(options).then(
      (info) => {
        // once the answer is sent: the first run of each job, in the time the user takes to
        // choose files rather than in their first job (dicomforge.jobs.warm_up)
        setTimeout(() => {
          this.#jobs.warm_up();
          this.#blobReader.start(); // (its worker loads while the user chooses files)
          this.#writeHeap(options.firstJobHeap ?? FIRST_JOB_HEAP);
        }, 0);
        return info;
      },
      (err) => ({ ok: false, error: toProtocolError(err) }),
    );
    return this.#ready;
  }

  /**
   * Grow the wasm heap to about *size* bytes and write every new page once (see
   * FIRST_JOB_HEAP): Python bytes objects of HEAP_STEP filled one at a time, then freed
   * together. Their pages stay in wasm memory (which never shrinks) for the allocations
   * that come next. A job that starts meanwhile ends it at once (#endHeapWrite), and a job
   * already running when it is called keeps it from starting. Never throws: without the
   * memory to spare, the first job writes its pages itself.
   */
  async #writeHeap(size) {
    const pyodide = this.#pyodide;
    this.#heapWriting = true;
    try {
      pyodide.runPython("_written = []");
      while (this.#heapWriting && !this.#running.size && pyodide._module.HEAPU8.buffer.byteLength < size) {
        pyodide.runPython(`_written.append(b"\\x01" * ${HEAP_STEP})`);
        await yieldToEventLoop();
      }
    } catch {
      // (no memory to spare)
    } finally {
      this.#endHeapWrite();
    }
  }

  /** Free what #writeHeap holds, if it is running (the pages it wrote stay written). */
  #endHeapWrite() {
    if (!this.#heapWriting) return;
    this.#heapWriting = false;
    this.#pyodide.runPython("_written = None"); // (a statement: no value comes back to hold them)
  }

  async #load({ baseUrl, packagesUrl = "" }) {
    const timings = {};
    const warnings = [];
    const t0 = performance.now();
    const wheelsPromise = stage("fetch", timings, () =>
      Promise.all(RUNTIME_WHEELS.map((pin) => fetchVerifiedWheel(baseUrl, pin))),
    );
    const archivePromise = fetchArchive(new URL("py/dicomforge.zip", baseUrl), "py/dicomforge.zip");
    // pycs for the wheels: only a speed-up, so a missing one is not an error
    const pycachePromise = fetch(new URL("py/wheels-pycache.zip", baseUrl))
      .then((r) => (r.ok ? r.arrayBuffer() : null))
      .catch(() => null);
    wheelsPromise.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
    archivePromise.catch(() => {});

    const pyodide = await stage("core", timings, async () => {
      const indexURL = new URL("pyodide/", baseUrl).href;
      const { loadPyodide } = await import(/* @vite-ignore */ `${indexURL}pyodide.mjs`);
      return loadPyodide({ indexURL, packageBaseUrl: packagesUrl || indexURL });
    });
    const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");

    const pydicom = await stage("wheels", timings, async () => {
      const [wheels, pycache] = await Promise.all([wheelsPromise, pycachePromise]);
      if (pycache) pyodide.unpackArchive(new Uint8Array(pycache), "zip", { extractDir: sitePackages });
      const byName = Object.fromEntries(RUNTIME_WHEELS.map((pin, i) => [pin.name, { pin, bytes: wheels[i] }]));
      for (const name of ["packaging", "micropip"]) {
        pyodide.unpackArchive(byName[name].bytes, "wheel", { extractDir: sitePackages });
      }
      return byName.pydicom;
    });

    await stage("micropip", timings, async () => {
      pyodide.FS.mkdirTree("/tmp/wheels");
      pyodide.FS.writeFile(`/tmp/wheels/${pydicom.pin.file}`, pydicom.bytes);
      const micropip = pyodide.pyimport("micropip");
      await micropip.install(`emfs:/tmp/wheels/${pydicom.pin.file}`, { deps: false });
      micropip.destroy();
    });

    if (packagesUrl) {
      await stage("numpy", timings, async () => {
        const problems = [];
        await pyodide.loadPackage("numpy", { messageCallback: () => {}, errorCallback: (m) => problems.push(m) });
        try {
          pyodide.pyimport("numpy");
        } catch {
          warnings.push(
            `numpy could not be loaded from ${packagesUrl} (${problems[0] ?? "not found"}); using the stdlib backend`,
          );
        }
      });
    }

    await stage("package", timings, async () => {
      pyodide.unpackArchive(await archivePromise, "zip", { extractDir: sitePackages });
      pyodide.runPython("import pydicom, dicomforge.describe");
      this.#jobs = pyodide.pyimport("dicomforge.jobs");
      this.#NamedInput = pyodide.pyimport("dicomforge.inputs").NamedInput;
      this.#InputFeed = pyodide.pyimport("dicomforge.inputs").InputFeed;
      this.#oversized = pyodide.pyimport("dicomforge.inputs").oversized;
      this.#splitBuffer = pyodide.pyimport("dicomforge.inputs").split_buffer;
      this.#zipEvents = pyodide.pyimport("dicomforge.zipstream").zip_events;
      const partialJobs = this.#jobs.PARTIAL_INPUT_JOBS;
      this.#partialJobs = new Set(partialJobs.toJs());
      partialJobs.destroy();
    });
    timings.total = Math.round(performance.now() - t0);
    this.#inputBudget = Math.max(WASM_ADDRESS_LIMIT - pyodide._module.HEAPU8.buffer.byteLength - JOB_HEADROOM, 64 << 20);
    this.#pyodide = pyodide;

    const versions = pyodide.runPython(`
import sys, pydicom, dicomforge
from dicomforge import kernels
{"python": sys.version.split()[0], "pydicom": pydicom.__version__,
 "dicomforge": dicomforge.__version__, "backend": kernels.BACKEND}
`);
    const info = versions.toJs({ dict_converter: Object.fromEntries });
    versions.destroy();
    return { ok: true, pyodide: pyodide.version, ...info, warnings, timings };
  }

  /**
   * Zip host-supplied files with jszip (STORE by default, or DEFLATE). A job's own
   * outputs are zipped in Python as they are made: see `run`'s `output.zip`.
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
   * The 8-bit display table of a frame for one window (dicomforge.display.display_lut):
   * entry `v - lutOffset` is the grey of stored value v. Cheap: called per mouse move.
   * @param {object} frameInfo  the `display` dict of a preview result
   * @param {{center?: number, width?: number, function?: string, voi?: number}} window
   * @returns {Promise<{ok: true, lut: Uint8Array} | {ok: false, error: import("./protocol.js").ProtocolError}>}
   */
  async displayLut(frameInfo, { center, width, function: fn = "LINEAR", voi } = {}) {
    const ready = await this.#ready;
    if (!ready?.ok) return { ok: false, error: ready?.error };
    const info = this.#pyodide.toPy(withoutNulls(frameInfo));
    try {
      // JS null would arrive as JsNull, not None: pass undefined for "not given"
      const answer = this.#jobs.display_table(info, center ?? undefined, width ?? undefined, fn, voi ?? undefined);
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
   * One input as a Python NamedInput. Big Blobs are copied into a bytearray chunk by chunk
   * (or, for a header-only job, only their start, with a `load` for the rest).
   */
  async #toPython({ name, data }, partial, refused) {
    if (data instanceof Blob && refused) {
      // over the input budget: only its start, so that its header still says what it is
      const head = await this.#head(data);
      try {
        return this.#oversized(name, head, data.size, this.#inputBudget);
      } finally {
        head.destroy();
      }
    }
    if (data instanceof Blob && data.size >= BIG_BLOB) {
      if (partial) {
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
          return this.#NamedInput.callKwargs(name, head, { load });
        } finally {
          head.destroy();
        }
      }
      const whole = this.#bytearray(data.size);
      try {
        const reads = [];
        let next = 0;
        const readNext = () => {
          if (next >= data.size) return;
          reads.push([next, this.#blobReader.read(data.slice(next, next + READ_CHUNK))]);
          next += READ_CHUNK;
        };
        for (let k = 0; k < READ_AHEAD; k++) readNext();
        while (reads.length) {
          const [at, read] = reads.shift();
          const chunk = new Uint8Array(await read);
          readNext();
          this.#fill(whole, at, chunk);
        }
        return this.#NamedInput(name, whole);
      } finally {
        whole.destroy();
      }
    }
    const bytes = this.#pyodide.toPy(await readBytes(data));
    try {
      return this.#NamedInput(name, bytes);
    } finally {
      bytes.destroy(); // the NamedInput holds the Python object; the proxy would keep it alive
    }
  }

  /**
   * Read a job's inputs into Python as the page sends them (see arrivals.js), one wave at a
   * time (a wave: the inputs whose data came together): the ones kept from an earlier job
   * where there are some (a kept head only serves jobs that read headers), else read now
   * (small Files together, see #readBundles) and kept under their key. Each input made, or
   * failed, goes to `reading.made[i]`, its index to `reading.ready`, and notifies
   * `reading.changes`; the job takes them as they come (#feed). Resolves once every read
   * has ended (or the job, before the page sent every input).
   * Budget: a Blob that would take the job's inputs past the input budget is refused (only
   * its head is read, see #toPython).
   */
  async #readInputs(arrivals, partial, reading) {
    const { inputs } = arrivals;
    const waves = [];
    let held = 0; // bytes of Blob inputs held whole so far
    for (let wave = await arrivals.take(); wave.length; wave = await arrivals.take()) {
      const refused = new Set();
      for (const i of wave) {
        const { data } = inputs[i];
        if (!(data instanceof Blob)) continue;
        if (held + data.size > this.#inputBudget) refused.add(i);
        else held += data.size;
      }
      this.#makeRoom(inputs, wave, partial, refused);
      waves.push(this.#readWave(inputs, wave, partial, refused, reading));
    }
    await Promise.all(waves);
  }

  /** One wave of #readInputs. */
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
      const kept = key && this.#kept.get(key);
      if (kept) {
        this.#kept.delete(key); // re-inserted below: the Map's order is the order of use
        if (serves(kept, partial)) {
          this.#kept.set(key, kept);
          made(i, { input: kept.input, owned: false, reused: true });
          continue;
        }
        kept.input.destroy(); // only its head: this job reads the whole file
      }
      if (!refused.has(i) && item.data instanceof Blob && item.data.size < BIG_BLOB) small.push(i);
      else {
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

  /**
   * Hand the job the inputs made since the last call (a failed one: its error, and one
   * input fewer to wait for). Returns whether there was anything to hand over.
   */
  #feed(feed, reading, out) {
    const ready = reading.ready.splice(0);
    for (const i of ready) {
      const entry = reading.made[i];
      if (entry.error) {
        feed.missing(1);
        out.errors.push(entry.error);
      } else {
        feed.add(entry.input, i);
      }
    }
    return ready.length > 0;
  }

  /** Keep *input* (read from *item*) under *key*, when it has one. */
  #keep(item, input, key, partial) {
    if (!key || this.#kept.has(key)) return { input, owned: true }; // (the same File twice in a job)
    const head = partial && item.data.size >= BIG_BLOB;
    this.#kept.set(key, { input, bytes: head ? HEAD_BYTES : item.data.size, partial: head });
    return { input, owned: false };
  }

  /**
   * Read small Blobs BUNDLE_BYTES at a time as one Blob each: one read and one copy into
   * Python per bundle instead of one per file (hundreds of DICOM files are a common drop).
   * At most BUNDLES_IN_FLIGHT bundles are read or waiting to be copied at once, across
   * waves. Each input is a view of its bundle's bytearray (inputs.split_buffer), which
   * lives until the last of them is released. A bundle that cannot be read (a file moved,
   * changed or deleted since it was dropped) is read file by file, so that only the files
   * that cannot be read fail.
   * *onInput(k, input)* receives the k-th input's NamedInput, *onError(k, error)* its failure.
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
      return this.#blobReader.read(new Blob(bundle.map((k) => items[k].data)));
    });
    reads.forEach((read) => read.catch(() => {})); // awaited below; no unhandled rejection meanwhile
    for (let b = 0; b < bundles.length; b++) {
      const bundle = bundles[b];
      try {
        let bytesRead;
        try {
          bytesRead = new Uint8Array(await reads[b]);
        } catch {
          for (const k of bundle) {
            await this.#toPython(items[k], false, false).then((input) => onInput(k, input), (error) => onError(k, error));
          }
          continue;
        }
        reads[b] = null;
        const buffer = this.#bytearray(bytesRead.length);
        const names = this.#pyodide.toPy(bundle.map((k) => items[k].name));
        const sizes = this.#pyodide.toPy(bundle.map((k) => items[k].data.size));
        let list = null;
        try {
          this.#fill(buffer, 0, bytesRead);
          list = this.#splitBuffer(buffer, names, sizes);
          bundle.forEach((k, j) => onInput(k, list.get(j)));
        } finally {
          for (const proxy of [list, buffer, names, sizes]) proxy?.destroy();
        }
      } finally {
        this.#readSlots.give();
      }
    }
  }

  /**
   * Release kept inputs that this job does not use, least recently used first, until the
   * kept ones and what this wave of the job still has to read fit the input budget
   * together, and those of other jobs hold at most KEEP_OTHERS_BYTES (a job may need the
   * room for what it decodes).
   */
  #makeRoom(inputs, wave, partial, refused) {
    const used = this.#usedKeys(inputs, partial);
    let incoming = 0;
    for (const i of wave) {
      const { data, key } = inputs[i];
      if (refused.has(i) || !(data instanceof Blob) || used.has(key)) continue;
      incoming += partial && data.size >= BIG_BLOB ? HEAD_BYTES : data.size;
    }
    let held = 0;
    for (const entry of this.#kept.values()) held += entry.bytes;
    let others = this.#othersBytes(used);
    for (const [key, entry] of this.#kept) {
      if (held + incoming <= this.#inputBudget && others <= KEEP_OTHERS_BYTES) break;
      if (used.has(key)) continue;
      entry.input.destroy();
      this.#kept.delete(key);
      held -= entry.bytes;
      others -= entry.bytes;
    }
  }

  /** Keys of the kept inputs that serve this job (all of its inputs' keys are known at once). */
  #usedKeys(inputs, partial) {
    const used = new Set();
    for (const { key } of inputs) {
      const kept = key && this.#kept.get(key);
      if (kept && serves(kept, partial)) used.add(key);
    }
    return used;
  }

  /** Bytes of the kept inputs whose keys are not in *used* (those of other jobs). */
  #othersBytes(used) {
    let others = 0;
    for (const [key, entry] of this.#kept) if (!used.has(key)) others += entry.bytes;
    return others;
  }

  /** Bytes kept for other jobs that stay beside this one (#makeRoom keeps them within KEEP_OTHERS_BYTES). */
  #keptForOthers(inputs, partial) {
    return Math.min(this.#othersBytes(this.#usedKeys(inputs, partial)), KEEP_OTHERS_BYTES);
  }

  /** The first HEAD_BYTES of a Blob, as Python bytes (the caller destroys the proxy). */
  async #head(data) {
    return this.#pyodide.toPy(new Uint8Array(await data.slice(0, HEAD_BYTES).arrayBuffer()));
  }

  #bytearray(size) {
    const make = this.#pyodide.globals.get("bytearray");
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
   * Run one job over the inputs; progress goes to `onProgress` (a comlink proxy).
   * The job starts as soon as the first inputs are read: jobs that can (dicomforge.jobs.FEED_JOBS)
   * work on them while the rest are read, or still sent by the page (`later`, see addInputs).
   * @param {string} jobId  chosen by the caller, used by `cancel`
   * @param {string} name   a job of dicomforge.jobs.JOBS
   * @param {import("./protocol.js").JobInput[]} inputs
   * @param {object} options
   * @param {(p: import("./protocol.js").ProgressEvent) => void} [onProgress]
   * @param {import("./protocol.js").OutputOptions} [output]  `zip`: the outputs as one zip
   *   archive (`result.zip`), built in Python while the job runs, instead of `result.files`
   * @returns {Promise<import("./protocol.js").JobResult>}
   */
  async run(jobId, name, inputs, options = {}, onProgress, output = {}) {
    this.#endHeapWrite(); // the job's allocations take the pages written so far
    const arrivals = new Arrivals(inputs); // before any await: addInputs may come next
    const reading = { made: new Array(inputs.length), ready: [], changes: new Changes(), done: false, error: null };
    this.#running.set(jobId, { arrivals, changes: reading.changes });
    const ready = await this.#ready;
    if (!ready?.ok) {
      this.#running.delete(jobId);
      return { ok: false, results: [], files: [], errors: [], warnings: [], error: ready?.error };
    }
    const out = { ok: true, results: [], files: [], errors: [], warnings: [], timings: {} };
    let feed = null;
    let events = null;
    let readAll = Promise.resolve();
    const t0 = performance.now();
    const readerBytes = this.#blobReader.bytesRead;
    try {
      const partial = this.#partialJobs.has(name);
      // what one volume may take: the budget less the inputs kept for other jobs
      const memoryBudget = Math.max(this.#inputBudget - this.#keptForOthers(inputs, partial), 64 << 20);
      readAll = this.#readInputs(arrivals, partial, reading).then(
        () => {
          reading.done = true;
          out.timings.read = Math.round(performance.now() - t0);
        },
        (error) => (reading.error = error),
      ).finally(() => reading.changes.notify());
      const pyOptions = this.#pyodide.toPy(withoutNulls({ memory_budget: memoryBudget, ...options }));
      feed = this.#InputFeed(inputs.length);
      events = this.#jobs.start(name, feed, pyOptions);
      pyOptions.destroy();
      if (output.zip) {
        const generator = events;
        events = this.#zipEvents(generator, output.zip.compression ?? "STORE");
        generator.destroy();
        out.zip = { parts: [], entries: [] };
      }
      let lastYield = performance.now();
      const progress = throttled(onProgress);
      let python = 0; // of the job's time, how much is Python producing the next event
      let asked = performance.now();
      const cancelled = () => this.#cancelled.has(jobId);
      for (const pyEvent of events) {
        python += performance.now() - asked;
        const type = pyEvent.get("type");
        if (type === "wait") {
          // the job needs inputs still being read
          pyEvent.destroy();
          while (!this.#feed(feed, reading, out) && !cancelled()) {
            if (reading.error) throw reading.error;
            if (reading.done) throw new Error(`job ${name} waits for inputs after all of them were read`);
            await reading.changes.next();
          }
          lastYield = performance.now();
        } else {
          const event = type === "zip"
            ? zipPart(pyEvent)
            : pyEvent.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
          pyEvent.destroy?.();
          collect(out, event, progress);
          this.#feed(feed, reading, out); // what was read meanwhile, for the job's next step
          // while inputs are read, yield often: reads progress only when this thread is free
          if (performance.now() - lastYield > (reading.done ? YIELD_EVERY_MS : READING_YIELD_MS)) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
        if (cancelled()) {
          out.ok = false;
          out.error = { name: "Cancelled", message: "cancelled by the user" };
          break;
        }
        asked = performance.now();
      }
      out.timings.python = Math.round(python);
      out.timings.total = Math.round(performance.now() - t0);
      out.timings.read ??= out.timings.total; // (when the job ended before every input was read)
      out.timings.job = out.timings.total - out.timings.read;
      out.memory = { wasm: this.#pyodide._module.HEAPU8.buffer.byteLength }; // wasm memory only grows: its peak
    } catch (err) {
      out.ok = false;
      out.error = pythonError(err);
    } finally {
      this.#running.delete(jobId);
      arrivals.close(); // a job that ended early reads nothing more
      await readAll;
      events?.destroy();
      feed?.destroy();
      const made = reading.made.filter((entry) => entry?.input);
      out.inputs = {
        kept: made.filter((m) => m.reused).length,
        read: made.filter((m) => !m.reused).length,
        readerBytes: this.#blobReader.bytesRead - readerBytes,
      };
      for (const { input, owned } of made) if (owned) input.destroy();
      for (const p of this.#loaded.splice(0)) p.destroy();
      this.#cancelled.delete(jobId);
    }
    inInputOrder(out, inputs);
    if (out.zip) {
      const { parts, entries } = out.zip;
      out.zip = out.ok ? { blob: new Blob(parts, { type: "application/zip" }), entries } : undefined;
    }
    return transfer(out, out.files.map((f) => f.data.buffer));
  }
}

/** A file the worker could not read, as the error the page lists for it. */
function unreadable(name, error) {
  return {
    name: "DicomForgeError",
    kind: "InputError",
    message: `cannot be read (${error?.name ?? "Error"}: ${error?.message ?? error}); was it moved, changed or deleted after it was chosen?`,
    file: name,
  };
}

/** A job's results and errors in the order of its inputs (jobs may report them as they finish). */
function inInputOrder(out, inputs) {
  const order = new Map();
  inputs.forEach(({ name }, i) => order.has(name) || order.set(name, i));
  const rank = ({ file }) => order.get(file) ?? inputs.length;
  const byRank = (a, b) => rank(a) - rank(b); // (sort is stable: same-rank entries keep their order)
  out.results.sort(byRank);
  out.errors.sort(byRank);
}

/**
 * *onProgress* called at most once per 1/PROGRESS_STEPS of the total (every step of a job
 * with fewer) and, for longer jobs, once per PROGRESS_MS; always for the last step and when
 * the total changes (the next series of a job). Each call is a message to the page, and a
 * job may have a step per slice or per file.
 */
function throttled(onProgress) {
  if (!onProgress) return undefined;
  let lastStep = -1;
  let lastTotal = -1;
  let lastTime = -Infinity;
  return (p) => {
    const step = Math.floor((p.done * PROGRESS_STEPS) / Math.max(p.total, 1));
    const now = performance.now();
    const soon = p.total > PROGRESS_STEPS && now - lastTime < PROGRESS_MS; // (a short job reports every step)
    const same = p.total === lastTotal && (step === lastStep || soon);
    if (p.done < p.total && same) return;
    [lastStep, lastTotal, lastTime] = [step, p.total, now];
    onProgress(p);
  };
}

/**
 * A copy of an options object without null members (JS null would reach Python as
 * JsNull; an absent key reads as None). Typed arrays and ArrayBuffers are kept as they are.
 */
function withoutNulls(value) {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return value;
  }
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]),
  );
}

async function readBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(await data.arrayBuffer()); // File / Blob
}

function collect(out, event, onProgress) {
  switch (event.type) {
    case "progress":
      onProgress?.({ done: event.done, total: event.total, file: event.file });
      break;
    case "result":
      out.results.push({ file: event.file, value: event.value });
      break;
    case "file":
      out.files.push({ name: event.name, data: event.data });
      break;
    case "zip":
      out.zip.parts.push(event.blob);
      for (const e of event.entries) {
        out.zip.entries.push({ name: e.name, offset: e.offset, size: e.size, compressedSize: e.compressed_size, method: e.method });
      }
      break;
    case "error":
      out.errors.push({ name: event.name, kind: event.kind, message: event.message, file: event.file });
      break;
    case "failed":
      out.ok = false;
      out.error = { name: event.name, kind: event.kind, message: event.message, file: event.file };
      break;
    case "warning":
      out.warnings.push({ file: event.file ?? null, message: event.message });
      break;
  }
}

/**
 * A `zip` event (dicomforge.zipstream.zip_events) with its chunks copied once, straight
 * from wasm memory into a Blob (blob storage, off the JS heap); no JS copy of them is made.
 */
function zipPart(pyEvent) {
  const chunks = pyEvent.get("chunks");
  const entries = pyEvent.get("entries");
  const pieces = [];
  const views = [];
  try {
    for (const chunk of chunks) {
      pieces.push(chunk);
      views.push(chunk.getBuffer("u8"));
    }
    const blob = new Blob(views.map((view) => view.data)); // no Python runs meanwhile: the views stay valid
    return { type: "zip", blob, entries: entries.toJs({ dict_converter: Object.fromEntries }) };
  } finally {
    for (const view of views) view.release();
    for (const piece of pieces) piece.destroy();
    chunks.destroy();
    entries.destroy();
  }
}

/** A Python exception escaping a job is a bug, not bad input: report it as internal. */
function pythonError(err) {
  const text = String(err?.message ?? err).trim();
  return { name: "InternalError", message: text.split("\n").pop() || text };
}
