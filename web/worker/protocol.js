// The contract between the page (or an embedding editor) and the worker, in one place.
// The transport is comlink: the worker exposes one `DicomforgeWorker`; every method
// below is called through it and returns a structured value, never a thrown Error
// (comlink would drop an error's `file`).

/**
 * @typedef {object} InitOptions
 * @property {string} baseUrl  Absolute URL of the folder holding pyodide/, wheels/ and py/
 *   (the app's own origin; nothing is fetched from anywhere else).
 * @property {string} [packagesUrl]  URL of a hosted full Pyodide package set; when given,
 *   numpy is loaded from it (build-time setting DICOMFORGE_PACKAGES_URL). Empty: stdlib backend.
 * @property {number} [firstJobHeap]  Bytes of wasm heap written once after start-up, for the
 *   first job (default 192 MiB, see runtime.js FIRST_JOB_HEAP); 0 leaves the heap as it is
 *   (an embedding page short of memory: the first job then writes its pages itself).
 */

/**
 * @typedef {object} ReadyInfo  What `initialize` resolves with once Python is usable.
 * @property {true} ok
 * @property {string} pyodide      Pyodide version.
 * @property {string} python       Python version inside Pyodide.
 * @property {string} pydicom      pydicom version.
 * @property {string} dicomforge   dicomforge version.
 * @property {"numpy"|"stdlib"} backend  Active pixel backend.
 * @property {string[]} warnings   Things the user should know once (e.g. numpy unavailable).
 * @property {Object<string, number>} timings  Milliseconds per start-up stage.
 */

/**
 * @typedef {object} ProtocolError  A failure, as the page shows it.
 * @property {string} name     "DicomForgeError" for problems with the user's input,
 *   "RuntimeLoadError" when the runtime could not start, "Cancelled", or "InternalError".
 * @property {string} message  Words the user can act on.
 * @property {string|null} [file]  The input the problem concerns.
 * @property {string} [kind]   The Python error class (InputError, GeometryError, ...).
 * @property {string} [stage]  For RuntimeLoadError: the start-up stage that failed.
 */

/**
 * @typedef {object} JobInput  One input file, read by the worker. Blobs (Files) of 4 MiB
 *   and more are copied into Python chunk by chunk; for `describe` only their first MiB is,
 *   and the rest only if Python needs it (an 8-bit volume's labels, a DICOM file). Blobs
 *   beyond the job's input budget (2 GiB of wasm addresses less the runtime and 256 MiB of
 *   working memory; together, per job) are never read whole: their header is still described,
 *   and a job needing their voxels reports an error naming the file's size and the budget,
 *   which is also every job's default `memory_budget` (less what the worker keeps of other
 *   jobs' inputs).
 * @property {string} name
 * @property {File|Blob|ArrayBuffer|Uint8Array} data
 * @property {string} [key]  set by the client for File data: what the worker read of the input
 *   is kept under it for the next jobs (within the input budget, least recently used first out)
 * @property {boolean} [later]  set by the client: `data` comes after the job has started, in
 *   an `addInputs(jobId, [[index, data], ...])` message (posting Files costs the page a disk
 *   look-up each, so the worker starts reading the first ones meanwhile)
 */

/**
 * @typedef {object} ProgressEvent  Sent to the job's `onProgress` callback.
 * @property {number} done   Inputs (or slices) finished.
 * @property {number} total
 * @property {string} [file] The input being worked on.
 */

/**
 * @typedef {object} JobResult  What a job resolves with (`ok: false` carries `error`).
 * @property {boolean} ok
 * @property {Array<{file: string, value: any}>} results  One per input that succeeded.
 * @property {Array<{name: string, data: Uint8Array}>} files  Output files (transferred);
 *   empty when the job ran with `output.zip`.
 * @property {ZipOutput} [zip]  With `output.zip` (and `ok`): every output file in one archive.
 * @property {{wasm: number}} [memory]  Bytes of wasm memory after the job (it only grows, so
 *   this is the peak so far); for benchmarks.
 * @property {ProtocolError[]} errors  One per input that failed (including one the worker could
 *   not read: moved or deleted since it was chosen); the others still finished. Results and
 *   errors come in the order of the inputs.
 * @property {Array<{file: string|null, message: string}>} warnings
 * @property {ProtocolError} [error]  Set when the whole job failed (e.g. cancelled).
 * @property {{read?: number, job?: number, python?: number, total?: number}} timings
 *   Milliseconds from the job's start: `read` until the last input was in Python (a job
 *   works on the first ones meanwhile, or waits), `total` until it ended, `job` = total - read,
 *   and `python`: of the total, Python producing events.
 * @property {{kept: number, read: number, readerBytes: number}} [inputs]  How many inputs
 *   the job found kept from an earlier job (see JobInput.key) and how many it read; of the
 *   bytes read meanwhile, how many the reader's worker read (blob-reader.js; jobs running
 *   at once share this count).
 */

/**
 * @typedef {object} OutputOptions  How `run` hands over output files (its 6th argument).
 * @property {{compression?: "STORE"|"DEFLATE"}} [zip]  Zip the outputs in the worker, in
 *   Python (dicomforge.zipstream), as each file is written: the archive is complete when the
 *   job ends, and its bytes go to blob storage chunk by chunk, so the outputs are never held
 *   on the JS heap at once (jszip needed them all, and a second pass over them).
 */

/**
 * @typedef {object} ZipEntry  Where one output file lies in `ZipOutput.blob`.
 * @property {string} name
 * @property {number} offset  Byte offset of the entry's data (after its local header).
 * @property {number} size    Uncompressed size.
 * @property {number} compressedSize  Bytes stored: `blob.slice(offset, offset + compressedSize)`.
 * @property {"STORE"|"DEFLATE"} method  STORE: those bytes are the file; DEFLATE: raw deflate.
 */

/**
 * @typedef {object} ZipOutput
 * @property {Blob} blob  The zip archive (application/zip).
 * @property {ZipEntry[]} entries  In archive order.
 */

/**
 * Jobs of dicomforge.jobs.JOBS: describe (what each input is), series (volume -> DICOM),
 * overlay (masks -> 60xx planes), preview (display mapping for the canvas), render (RGBA),
 * sample (a phantom NIfTI), bench (dicomforge.bench workloads: options workloads, slices,
 * files, runs, seed; one result holding the report), bench_fixture (the dcmjs reference's
 * input: volume.raw and template.dcm). Every job also takes `memory_budget` (bytes, or a size
 * like "800M"): inputs declaring more are refused, before anything is allocated, with an error
 * naming the size and the limit (default: just under 2 GiB, what one wasm32 buffer can hold).
 */
export const JOB_NAMES = Object.freeze(["describe", "series", "overlay", "preview", "render", "sample", "bench", "bench_fixture"]);
