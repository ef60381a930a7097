// Loading the runtime in named stages, each timed, each failure a RuntimeLoadError naming it:
//   core     Pyodide core from our origin (/pyodide/), fetched while the wheels download
//   fetch    pinned wheels fetched and sha256-checked (in parallel with core)
//   wheels   packaging + micropip unpacked from their wheels (their pycs, and pydicom's,
//            compiled at build time, are unpacked first so nothing is compiled here)
//   micropip micropip installs pydicom from the verified local wheel
//   numpy    only when a full package set is configured; failure is a warning, not an error
//   package  dicomforge, zipped from py/ by the build, imported from the zip (with pydicom),
//            after the JavaScript pixel kernels (kernels.js, with their WebAssembly SIMD
//            part wasm/kernels.wasm) are registered for it: its `js` backend, active
//            unless numpy was loaded
// Knows nothing of jobs or the DOM: it returns Pyodide and the Python entry points.
import { JS_KERNELS_MODULE } from "./contract.js";
import * as jsKernels from "./kernels.js";
import { RUNTIME_WHEELS, RuntimeLoadError, fetchVerifiedWheel } from "./wheels.js";

/** Where py/dicomforge.zip is written and imported from (web/build/precompile.mjs compiles for it). */
const PACKAGE_MOUNT = "/lib/dicomforge.zip";

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

/**
 * The Python functions and classes the worker calls (PyProxies, kept for the worker's life).
 * @typedef {object} PythonEntryPoints
 * @property {Function} start        dicomforge.jobs.start(name, inputs, options, casing)
 * @property {Function} zipEvents    dicomforge.jobs.zip_events(events, compression)
 * @property {Function} displayTable dicomforge.jobs.display_table(info, center, width, function, voi)
 * @property {Function} warmUp       dicomforge.jobs.warm_up()
 * @property {Function} runtimeInfo  dicomforge.jobs.runtime_info()
 * @property {Function} writtenBytes dicomforge.jobs.warmup.written_bytes(nbytes)
 * @property {Function} NamedInput   dicomforge.inputs.NamedInput
 * @property {Function} InputFeed    dicomforge.inputs.InputFeed
 * @property {Function} oversized    dicomforge.inputs.oversized
 * @property {Function} splitBuffer  dicomforge.inputs.split_buffer
 * @property {Function} wantedCodecs dicomforge.dicom.codecs.wanted_by(items): codec families to load
 * @property {Function} registerCodec dicomforge.dicom.codecs.register(family, decode)
 * @property {Function} openArchive  dicomforge.archives.open_ranges(size, readInto, name, budget)
 * @property {() => Function} benchStart  dicomforge.bench.jobs.BENCH.start, imported on first use
 */

/** Everything Python needs from the worker, once: the job layer's entry points. */
function entryPoints(pyodide) {
  const jobs = pyodide.pyimport("dicomforge.jobs");
  const inputs = pyodide.pyimport("dicomforge.inputs");
  const warmup = pyodide.pyimport("dicomforge.jobs.warmup");
  const codecs = pyodide.pyimport("dicomforge.dicom.codecs");
  let benchStart = null;
  return {
    start: jobs.start,
    zipEvents: jobs.zip_events,
    displayTable: jobs.display_table,
    warmUp: jobs.warm_up,
    runtimeInfo: jobs.runtime_info,
    writtenBytes: warmup.written_bytes,
    NamedInput: inputs.NamedInput,
    InputFeed: inputs.InputFeed,
    oversized: inputs.oversized,
    splitBuffer: inputs.split_buffer,
    wantedCodecs: codecs.wanted_by,
    registerCodec: codecs.register,
    openArchive: pyodide.pyimport("dicomforge.archives").open_ranges,
    benchStart: () => (benchStart ??= pyodide.pyimport("dicomforge.bench.jobs").BENCH.start),
  };
}

/**
 * Load Pyodide, the pinned wheels and dicomforge from *baseUrl*.
 * @param {import("./contract.js").InitOptions} options
 * @returns {Promise<{pyodide: object, python: PythonEntryPoints, info: import("./contract.js").ReadyInfo}>}
 */
export async function loadRuntime({ baseUrl, packagesUrl = "" }) {
  const timings = {};
  const warnings = [];
  const t0 = performance.now();
  const wheelsPromise = stage("fetch", timings, () => Promise.all(RUNTIME_WHEELS.map((pin) => fetchVerifiedWheel(baseUrl, pin))));
  const archivePromise = fetchArchive(new URL("py/dicomforge.zip", baseUrl), "py/dicomforge.zip");
  // the SIMD kernels only speed the js backend up: without them its JavaScript loops run
  const simdPromise = fetch(new URL("wasm/kernels.wasm", baseUrl))
    .then((r) => (r.ok ? r.arrayBuffer() : null))
    .catch(() => null);
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
    for (const name of ["packaging", "micropip"]) pyodide.unpackArchive(byName[name].bytes, "wheel", { extractDir: sitePackages });
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
        warnings.push(`numpy could not be loaded from ${packagesUrl} (${problems[0] ?? "not found"}); using the js backend`);
      }
    });
  }

  const python = await stage("package", timings, async () => {
    // imported from the archive as it is (zipimport; the build puts a pyc beside each module):
    // one file written instead of a hundred and fifty unpacked
    const simd = await simdPromise;
    if (!simd) warnings.push("wasm/kernels.wasm is missing: the pixel kernels run as plain JavaScript loops (slower)");
    else if (!jsKernels.installWasm(new Uint8Array(simd))) {
      warnings.push("wasm/kernels.wasm could not be used (this browser may lack WebAssembly SIMD): the pixel kernels run as plain JavaScript loops (slower)");
    }
    pyodide.registerJsModule(JS_KERNELS_MODULE, jsKernels);
    pyodide.FS.writeFile(PACKAGE_MOUNT, await archivePromise);
    const sys = pyodide.pyimport("sys");
    sys.path.insert(0, PACKAGE_MOUNT);
    sys.destroy();
    return entryPoints(pyodide);
  });
  timings.total = Math.round(performance.now() - t0);
  const described = python.runtimeInfo();
  const info = described.toJs({ dict_converter: Object.fromEntries });
  described.destroy();
  return { pyodide, python, info: { ok: true, pyodide: pyodide.version, ...info, simd: jsKernels.usesWasm(), warnings, timings } };
}
