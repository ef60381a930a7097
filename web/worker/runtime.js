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
import { RUNTIME_WHEELS, RuntimeLoadError, fetchVerifiedWheel } from "./wheels.js";

const YIELD_EVERY_MS = 25; // let cancel messages in at least this often during a job

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
  #cancelled = new Set();

  /**
   * Start the runtime once; every later call returns the same result.
   * @param {import("./protocol.js").InitOptions} options
   * @returns {Promise<import("./protocol.js").ReadyInfo | {ok: false, error: import("./protocol.js").ProtocolError}>}
   */
  initialize(options) {
    this.#ready ??= this.#load(options).catch((err) => ({ ok: false, error: toProtocolError(err) }));
    return this.#ready;
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
    });
    timings.total = Math.round(performance.now() - t0);
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
   * Zip output files (STORE by default, or DEFLATE).
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

  /** Ask the running job *jobId* to stop at its next step. */
  cancel(jobId) {
    this.#cancelled.add(jobId);
  }

  /**
   * Run one job over the inputs; progress goes to `onProgress` (a comlink proxy).
   * @param {string} jobId  chosen by the caller, used by `cancel`
   * @param {string} name   a job of dicomforge.jobs.JOBS
   * @param {import("./protocol.js").JobInput[]} inputs
   * @param {object} options
   * @param {(p: import("./protocol.js").ProgressEvent) => void} [onProgress]
   * @returns {Promise<import("./protocol.js").JobResult>}
   */
  async run(jobId, name, inputs, options = {}, onProgress) {
    const ready = await this.#ready;
    if (!ready?.ok) return { ok: false, results: [], files: [], errors: [], warnings: [], error: ready?.error };
    const out = { ok: true, results: [], files: [], errors: [], warnings: [], timings: {} };
    const pyInputs = [];
    let events = null;
    const t0 = performance.now();
    try {
      const buffers = await Promise.all(inputs.map((input) => readBytes(input.data))); // reads overlap
      for (const [i, input] of inputs.entries()) {
        pyInputs.push(this.#NamedInput(input.name, this.#pyodide.toPy(buffers[i])));
        buffers[i] = null; // the copy in Python is the one kept
      }
      out.timings.read = Math.round(performance.now() - t0);
      const pyOptions = this.#pyodide.toPy(withoutNulls(options));
      events = this.#jobs.start(name, pyInputs, pyOptions);
      pyOptions.destroy();
      let lastYield = performance.now();
      for (const pyEvent of events) {
        const event = pyEvent.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
        pyEvent.destroy?.();
        collect(out, event, onProgress);
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
        if (this.#cancelled.has(jobId)) {
          out.ok = false;
          out.error = { name: "Cancelled", message: "cancelled by the user" };
          break;
        }
      }
      out.timings.job = Math.round(performance.now() - t0) - out.timings.read;
    } catch (err) {
      out.ok = false;
      out.error = pythonError(err);
    } finally {
      events?.destroy();
      for (const p of pyInputs) p.destroy();
      this.#cancelled.delete(jobId);
    }
    return transfer(out, out.files.map((f) => f.data.buffer));
  }
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

/** A Python exception escaping a job is a bug, not bad input: report it as internal. */
function pythonError(err) {
  const text = String(err?.message ?? err).trim();
  return { name: "InternalError", message: text.split("\n").pop() || text };
}
