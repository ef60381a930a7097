// Runs the Python unit tests inside Pyodide (Python 3.14, no numpy) under Node, with the
// worker's JavaScript kernels registered (web/worker/kernels.js) and active, as in the
// browser: the kernel tests run on them and on the stdlib backend and compare the bytes.
// DICOMFORGE_BACKEND=stdlib in the environment makes the stdlib backend the active one.
// The JavaScript kernels run with their WebAssembly SIMD part (kernels.wat) installed.
//
// The pinned wheels (runtime + test groups of web/worker/wheels.lock.json) are read
// from public/wheels/, checked against their sha256 and unpacked into site-packages;
// the repository is mounted with NODEFS so py/ and tests/py are the real files.
// Usage: node tests/pyodide/run-pytest.mjs [pytest args...]
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";
import { CODEC_FAMILIES } from "../../web/worker/codecs.js";
import { JS_KERNELS_MODULE } from "../../web/worker/contract.js";
import * as jsKernels from "../../web/worker/kernels.js";
import { compileKernels } from "../../web/build/wasm-kernels.mjs";
import { nodeCodecs } from "./node-codecs.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const lock = JSON.parse(await readFile(resolve(root, "web/worker/wheels.lock.json"), "utf8"));

async function verifiedWheel(pin, folder) {
  const path = resolve(root, folder, pin.file);
  let bytes;
  try {
    bytes = await readFile(path);
  } catch {
    throw new Error(`wheel ${pin.file} missing: run make test (or python py/tools/fetch_wheels.py)`);
  }
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== pin.sha256) throw new Error(`wheel ${pin.file} does not match its pinned sha256`);
  return bytes;
}

const [pyodide, wheels] = await Promise.all([
  loadPyodide(),
  Promise.all([
    ...lock.runtime.filter((p) => p.name !== "micropip").map((p) => verifiedWheel(p, "public/wheels")),
    ...lock.test.map((p) => verifiedWheel(p, ".cache/wheels-test")),
  ]),
]);
const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
for (const bytes of wheels) {
  pyodide.unpackArchive(new Uint8Array(bytes), "wheel", { extractDir: sitePackages });
}

pyodide.setStdout({ write: (buf) => (process.stdout.write(buf), buf.length) });
pyodide.setStderr({ write: (buf) => (process.stderr.write(buf), buf.length) });
pyodide.mountNodeFS("/repo", root);
// with the SIMD kernels, as the worker installs them (DICOMFORGE_JS_SIMD=0: the JS loops alone)
if (process.env.DICOMFORGE_JS_SIMD !== "0" && !jsKernels.installWasm(await compileKernels(root))) {
  throw new Error("this Node cannot run the SIMD kernels (kernels.wat)");
}
pyodide.registerJsModule(JS_KERNELS_MODULE, jsKernels);
pyodide.globals.set("backend", process.env.DICOMFORGE_BACKEND || "js");
pyodide.globals.set("fuzz_cases", process.env.DICOMFORGE_FUZZ_CASES ?? "");
pyodide.runPython(`
import os
os.environ["DICOMFORGE_BACKEND"] = backend
if fuzz_cases:  # (make fuzz-pyodide style runs: DICOMFORGE_FUZZ_CASES=N)
    os.environ["DICOMFORGE_FUZZ_CASES"] = fuzz_cases
`);
// the worker's own codecs (web/worker/codecs.js), as a job's inputs would load them
pyodide.runPython("import sys; sys.path.insert(0, '/repo/py')");
const registry = pyodide.pyimport("dicomforge.dicom.codecs");
const problems = await nodeCodecs().ensure(CODEC_FAMILIES, (family, decode) => registry.register(family, decode));
if (problems.length) throw new Error(problems.join("\n"));
pyodide.globals.set("pytest_args", pyodide.toPy(process.argv.slice(2)));
const code = pyodide.runPython(`
import os, sys
os.chdir("/repo")
import pytest
args = list(pytest_args) or ["tests/py"]
int(pytest.main(["-p", "no:cacheprovider", "-q", *args]))
`);
process.exit(code);
