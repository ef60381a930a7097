// Main-thread side of the worker protocol: starts the worker, waits for it, runs jobs.
// Knows nothing of the DOM, so the page (web/main.js) and the embedding API share it.
import { proxy, transfer, wrap } from "comlink";
import { isArchive } from "./archives.js";

/** How long a finished job waits for progress reports still on their way. */
const PROGRESS_WAIT_MS = 2000;

/** A failure the user can act on, as the worker reported it. */
export class DicomForgeError extends Error {
  constructor({ name = "DicomForgeError", message, file = null, kind, stage, fields }) {
    super(message);
    this.name = name;
    this.file = file;
    this.kind = kind;
    this.stage = stage;
    this.fields = fields ?? {};
  }
}

let nextJobId = 1;

// Each File (a dropped file) gets a number once: the worker keeps what it read of an input
// between jobs under that number and the input's name (a File's bytes never change), so
// describing the inputs and then exporting them reads every file once. Other Blobs (a
// slice of a job's zip for the viewer) are made afresh each time and are not kept.
const blobNumbers = new WeakMap();
let nextBlobNumber = 1;

/** *inputs* as the worker takes them: `{name, data}`, with a `key` for File data. */
function withKeys(inputs) {
  return inputs.map((input) => {
    const { name, data } = input instanceof Blob ? { name: input.name ?? "input", data: input } : input;
    if (!(data instanceof File)) return { name, data };
    if (!blobNumbers.has(data)) blobNumbers.set(data, nextBlobNumber++);
    return { name, data, key: `${blobNumbers.get(data)}:${name}` };
  });
}

// Posting a File makes the browser look it up on disk, on this thread (about 0.4 ms a file):
// a job gets its first FIRST_FILES Files with its start and the rest LATER_FILES per message
// after it, so that the worker reads the first ones while this thread looks up the next.
// Files named like volumes (ReadyInfo.inputKinds, from dicomforge.kinds) go first: describing
// a label map (inflating it) then overlaps the reading of the DICOM files dropped with it.
const FIRST_FILES = 16;
const LATER_FILES = 64;
const posted = new WeakSet(); // Files posted to a worker before: looked up on disk already

/**
 * Post *inputs* to job *jobId*: `start(inputsNow)` starts it, `addInputs(jobId, pairs)` sends
 * the data of the Files marked `later` (see web/worker/arrivals.js), `cancel(jobId)` stops
 * it. *volumeEndings*: the file-name endings of volumes. Returns start's promise.
 */
function sendInputs(jobId, inputs, volumeEndings, { start, addInputs, cancel }) {
  const isVolume = (i) => volumeEndings.some((ending) => inputs[i].name.toLowerCase().endsWith(ending));
  // Files posted before were looked up then: they all go at once
  const files = inputs.flatMap((input, i) => (input.data instanceof File && !posted.has(input.data) ? [i] : []));
  for (const { data } of inputs) if (data instanceof File) posted.add(data);
  const order = [...files.filter(isVolume), ...files.filter((i) => !isVolume(i))];
  const later = order.slice(FIRST_FILES);
  const now = inputs.slice();
  for (const i of later) now[i] = { name: inputs[i].name, key: inputs[i].key, later: true };
  const started = start(now);
  for (let at = 0; at < later.length; at += LATER_FILES) {
    const pairs = later.slice(at, at + LATER_FILES).map((i) => [i, inputs[i].data]);
    // (cannot fail for Files; if it did, the job would wait for them: stop it instead)
    addInputs(jobId, pairs).catch(() => cancel(jobId));
  }
  return started;
}

// the build-time settings (vite.config.js, vite.embed.config.js); absent when another bundler builds this file
const BUILD_PACKAGES_URL = typeof __DICOMFORGE_PACKAGES_URL__ === "string" ? __DICOMFORGE_PACKAGES_URL__ : "";
const EMBEDDED = typeof __DICOMFORGE_EMBED__ === "boolean" && __DICOMFORGE_EMBED__;

/**
 * Start a dicomforge worker.
 * @param {{baseUrl?: string, packagesUrl?: string, firstJobHeap?: number}} [options]
 *   baseUrl: absolute URL of the folder holding pyodide/, wheels/ and py/ (default: the app's base,
 *   or, in the embedding build, the folder this module was loaded from).
 *   firstJobHeap: see contract.js InitOptions.
 * @returns {{ready: Promise<import("./contract.js").ReadyInfo>, run: Function, terminate: Function}}
 */
export function startWorker({ baseUrl, packagesUrl = BUILD_PACKAGES_URL, firstJobHeap } = {}) {
  const defaultBase = EMBEDDED ? new URL(/* @vite-ignore */ "./", import.meta.url).href : (import.meta.env?.BASE_URL ?? "/");
  const base = new URL(baseUrl ?? defaultBase, location.href).href;
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module", name: "dicomforge" });
  const remote = wrap(worker);
  const packages = packagesUrl ? new URL(packagesUrl, base).href : "";
  const ready = remote.initialize({ baseUrl: base, packagesUrl: packages, firstJobHeap }).then((info) => {
    if (!info.ok) throw new DicomForgeError(info.error);
    return info;
  });

  /**
   * Run a job; resolves with the JobResult, rejects with DicomForgeError when the
   * whole job failed or was cancelled (per-input failures are in `result.errors`).
   * @param {string} name
   * @param {import("./contract.js").JobInput[]} inputs
   * @param {object} [options]
   * @param {{onProgress?: Function, signal?: AbortSignal, zip?: {compression?: string}}} [control]
   *   zip: the outputs come back as one archive, `result.zip` (see contract.js OutputOptions);
   *   onProgress is never called once the returned promise has settled
   */
  async function run(name, inputs, options = {}, { onProgress, signal, zip } = {}) {
    const { inputKinds } = await ready;
    signal?.throwIfAborted();
    const jobId = nextJobId++;
    const onAbort = () => remote.cancel(jobId);
    signal?.addEventListener("abort", onAbort, { once: true });
    // progress reaches this thread as messages of its own and may come after the job's result:
    // the job resolves once every report the worker sent (result.progressReports) was delivered,
    // so that none comes after it to undo what the caller shows for the result (a report lost
    // for good is not waited for beyond PROGRESS_WAIT_MS)
    let settled = false;
    let received = 0;
    let delivered = () => {};
    try {
      const progress = onProgress
        ? proxy((p) => {
            received += 1;
            if (!settled) onProgress(p);
            delivered();
          })
        : undefined;
      const result = await sendInputs(jobId, withKeys(inputs), inputKinds.volumeEndings, {
        start: (now) => remote.run(jobId, name, now, options, progress, zip ? { zip } : {}),
        addInputs: remote.addInputs,
        cancel: remote.cancel,
      });
      if (onProgress && received < (result.progressReports ?? 0)) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, PROGRESS_WAIT_MS);
          delivered = () => received >= result.progressReports && (clearTimeout(timer), resolve());
        });
      }
      if (!result.ok) throw new DicomForgeError(result.error);
      return result;
    } finally {
      settled = true;
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Zip files in the worker.
   * @param {Array<{name: string, data: Uint8Array}>} files
   * @param {{compression?: "STORE"|"DEFLATE", handOver?: boolean}} [options]
   *   handOver: move the files' buffers to the worker instead of copying them
   *   (the caller's arrays are emptied; saves a copy of every file).
   * @returns {Promise<Blob>}
   */
  const zip = (files, { handOver = false, ...options } = {}) =>
    remote.zip(handOver ? transfer(files, files.map((f) => f.data.buffer)) : files, options);

  /**
   * The display table for a window (see DicomforgeWorker.displayLut); rejects with
   * DicomForgeError for an invalid window (e.g. width 0).
   */
  async function displayLut(frameInfo, window) {
    const result = await remote.displayLut(frameInfo, window);
    if (!result.ok) throw new DicomForgeError(result.error);
    return result.lut;
  }

  /**
   * *inputs* with each zip archive (a `.zip` Blob) replaced by its entries, named
   * `archive.zip/path/in/archive` (see DicomforgeWorker.openArchives): `{files, errors}`,
   * an error per refused or damaged entry, or per archive that cannot be opened.
   * @param {Array<{name: string, data: Blob}|File>} inputs
   * @param {{onProgress?: (p: {done: number, total: number, file: string}) => void}} [control]
   */
  async function openArchives(inputs, { onProgress } = {}) {
    const given = inputs.map((input) => (input instanceof Blob ? { name: input.name ?? "input", data: input } : input));
    if (!given.some(isArchive)) return { files: given, errors: [] };
    const result = await remote.openArchives(given, onProgress ? proxy(onProgress) : undefined);
    if (!result.ok) throw new DicomForgeError(result.error);
    return { files: result.files, errors: result.errors };
  }

  return { ready, run, zip, displayLut, openArchives, terminate: () => worker.terminate() };
}

/**
 * The bytes of one entry of a job's zip (`result.zip`) as a Blob: a slice of the archive
 * for STORE, inflated for DEFLATE. Inputs may be Blobs, so this feeds the next job directly.
 * @param {import("./contract.js").ZipOutput} zip
 * @param {import("./contract.js").ZipEntry} entry
 * @returns {Promise<Blob>}
 */
export async function zipEntryBlob(zip, entry) {
  const stored = zip.blob.slice(entry.offset, entry.offset + entry.compressedSize);
  if (entry.method === "STORE") return stored;
  return new Response(stored.stream().pipeThrough(new DecompressionStream("deflate-raw"))).blob();
}
