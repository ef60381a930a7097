// Build-time byte-compilation for Pyodide (see precompile.py for why), run in Node with the
// pinned `pyodide` npm package. Results that depend only on pinned inputs are cached under
// node_modules/.cache/dicomforge/, keyed by a hash of those inputs.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

const STDLIB_MOUNT = "/lib/python314.zip";
/** Where the worker writes py/dicomforge.zip and puts it on sys.path (stages.js). */
export const PACKAGE_MOUNT = "/lib/dicomforge.zip";

function cached(root, parts, name, make) {
  const hash = createHash("sha256");
  for (const part of [readFileSync(resolve(root, "web/build/precompile.py")), ...parts]) hash.update(part);
  const path = resolve(root, "node_modules/.cache/dicomforge", hash.digest("hex").slice(0, 16), name);
  if (existsSync(path)) return Promise.resolve(path);
  return make().then((bytes) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path + ".tmp", bytes);
    renameSync(path + ".tmp", path); // complete or absent, never half-written
    return path;
  });
}

async function bootPyodide(root, stdLibURL) {
  const { loadPyodide } = await import(resolve(root, "node_modules/pyodide/pyodide.mjs"));
  const pyodide = await loadPyodide(stdLibURL ? { stdLibURL } : {});
  pyodide.FS.mkdirTree("/build");
  pyodide.FS.writeFile("/build/precompile.py", readFileSync(resolve(root, "web/build/precompile.py")));
  pyodide.runPython("import sys; sys.path.insert(0, '/build')");
  return { pyodide, precompile: pyodide.pyimport("precompile") };
}

/** Path of Pyodide's python_stdlib.zip with a .pyc beside every module. */
export function precompiledStdlib(root) {
  const original = resolve(root, "node_modules/pyodide/python_stdlib.zip");
  const pkg = readFileSync(resolve(root, "node_modules/pyodide/package.json"));
  return cached(root, [pkg, "stdlib"], "python_stdlib.zip", async () => {
    const { pyodide, precompile } = await bootPyodide(root);
    pyodide.FS.writeFile("/build/in.zip", readFileSync(original));
    precompile.stdlib_zip("/build/in.zip", "/build/out.zip", STDLIB_MOUNT);
    return pyodide.FS.readFile("/build/out.zip");
  });
}

/**
 * Path of a zip of __pycache__ entries for the pinned runtime wheels, as installed in
 * site-packages. Throws, naming the wheel, when one is missing from public/wheels.
 */
export async function precompiledWheels(root) {
  const lock = JSON.parse(readFileSync(resolve(root, "web/worker/wheels.lock.json"), "utf8"));
  for (const pin of lock.runtime) {
    if (!existsSync(resolve(root, "public/wheels", pin.file))) {
      throw new Error(`wheel ${pin.file} missing: run make dev`);
    }
  }
  return cached(root, lock.runtime.map((pin) => pin.sha256), "wheels-pycache.zip", async () => {
    const { pyodide, precompile } = await bootPyodide(root, await precompiledStdlib(root));
    const paths = lock.runtime.map((pin) => {
      pyodide.FS.writeFile(`/build/${pin.file}`, readFileSync(resolve(root, "public/wheels", pin.file)));
      return `/build/${pin.file}`;
    });
    precompile.wheels_pycache_zip(pyodide.toPy(paths), "/build/out.zip");
    return pyodide.FS.readFile("/build/out.zip");
  });
}

/**
 * The dicomforge package zipped with a pyc beside each module, imported from the zip as it is.
 * @param {Map<string, Buffer>} sources  archive member name -> bytes
 * @returns {Promise<Buffer>}
 */
export async function precompiledPackage(root, sources) {
  const { pyodide, precompile } = await bootPyodide(root, await precompiledStdlib(root));
  const members = Object.fromEntries([...sources].map(([name, bytes]) => [name, new Uint8Array(bytes)]));
  precompile.package_zip(pyodide.toPy(members), "/build/package.zip", PACKAGE_MOUNT);
  return Buffer.from(pyodide.FS.readFile("/build/package.zip"));
}
