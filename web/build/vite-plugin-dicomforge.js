// Vite plugin: serves and builds the runtime assets the worker loads from our own origin.
//
//   /pyodide/*                Pyodide core from the pinned `pyodide` npm package; its
//                             python_stdlib.zip byte-compiled at build time (precompile.mjs)
//   /py/dicomforge.zip        the dicomforge package, zipped from py/dicomforge (with pycs in builds)
//   /py/wheels-pycache.zip    pycs for the pinned wheels (a start-up speed-up, optional)
//   /wasm/kernels.wasm        the js pixel backend's SIMD kernels (web/worker/kernels.wat, by wabt)
//   /wheels/*                 the pinned wheels (public/wheels, filled by py/tools/fetch_wheels.py);
//                             a missing wheel is a 404, never the SPA's index.html
//   /sw.js                    (builds only) the service worker that precaches all of the above
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import JSZip from "jszip";
import { precompiledPackage, precompiledStdlib, precompiledWheels } from "./precompile.mjs";
import { compileKernels } from "./wasm-kernels.mjs";

// Content Security Policy: only our origin, plus what WebAssembly needs ('wasm-unsafe-eval');
// data:/blob: images for the viewer's PNG export. Sent as a header by the dev and preview
// servers and written into the built pages as a <meta> tag for static hosting.
// DICOMweb services on other origins the page may reach (space-separated origins, set when building:
// DICOMFORGE_DICOMWEB_ORIGINS="https://pacs.example:8443"); by default the page talks to its own origin only.
export const DICOMWEB_ORIGINS = (process.env.DICOMFORGE_DICOMWEB_ORIGINS ?? "").split(/\s+/).filter(Boolean).map((origin) => {
  const url = new URL(origin);
  if (!/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, "")) {
    throw new Error(`DICOMFORGE_DICOMWEB_ORIGINS: ${origin} is not an origin like https://host:port`);
  }
  return url.origin;
});
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  ["connect-src 'self'", ...DICOMWEB_ORIGINS].join(" "),
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");
// Sent as a header only (a <meta> tag cannot carry it): no other site may frame the app, so
// it cannot be overlaid to trick a click (static hosts: send this header, see README).
export const HEADER_CSP = `${CSP}; frame-ancestors 'none'`;
/** The headers the dev and preview servers send with every response (HEADER_CSP for the
 * built app, *csp* for the dev server). */
export const securityHeaders = (csp) => ({ "Content-Security-Policy": csp, "X-Frame-Options": "DENY" });
// the dev server also needs its websocket, and injects CSS as <style>
export const DEV_CSP = HEADER_CSP.replace("connect-src 'self'", "connect-src 'self' ws://localhost:5173").replace(
  "style-src 'self'",
  "style-src 'self' 'unsafe-inline'",
);

const PYODIDE_FILES = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide-lock.json"];
/** Files of py/dicomforge that are data the package reads (importlib.resources), zipped with it. */
const PACKAGE_DATA = /\.tsv$/;
const MIME = { ".mjs": "text/javascript", ".wasm": "application/wasm", ".zip": "application/zip", ".json": "application/json" };

/** py/dicomforge's sources and package data (PACKAGE_DATA): archive member name -> bytes. */
export function packageSources(root) {
  const pyRoot = resolve(root, "py");
  const walk = (dir) =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === "__pycache__" ? [] : walk(path);
      return name.endsWith(".py") || PACKAGE_DATA.test(name) ? [path] : [];
    });
  return new Map(walk(join(pyRoot, "dicomforge")).sort().map((path) => [relative(pyRoot, path), readFileSync(path)]));
}

/** Sources only, zipped quickly: what the dev server serves so edits show on reload. */
async function sourceArchive(root) {
  const zip = new JSZip();
  for (const [name, bytes] of packageSources(root)) zip.file(name, bytes);
  return zip.generateAsync({ type: "nodebuffer" });
}

/** Every file under *dir*, as paths relative to it with "/" separators. */
function filesUnder(dir, prefix = "") {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

/**
 * Write sw.js into the build: the template with the list of every built file and a
 * version that is the hash of their contents (so any change installs a new cache).
 */
function writeServiceWorker(root, outDir, base) {
  const files = filesUnder(outDir).filter((f) => f !== "sw.js").sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update(readFileSync(join(outDir, file)));
  const urls = [base, ...files.filter((f) => f !== "index.html").map((f) => base + f)];
  const template = readFileSync(resolve(root, "web/build/service-worker.js"), "utf8");
  const source = template
    .replace('"__VERSION__"', JSON.stringify(hash.digest("hex").slice(0, 16)))
    .replace("__PRECACHE__", JSON.stringify(urls));
  writeFileSync(join(outDir, "sw.js"), source);
}

const mimeOf = (name) => MIME[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream";

function devMiddleware(root) {
  const pyodideDir = resolve(root, "node_modules/pyodide");
  const wheelsDir = resolve(root, "public/wheels");
  return async (req, res, next) => {
    const path = decodeURIComponent((req.url ?? "").split("?")[0]);
    const send = (body, name) => {
      res.setHeader("Content-Type", mimeOf(name));
      res.setHeader("Cache-Control", "no-cache");
      res.end(body);
    };
    try {
      if (path === "/pyodide/python_stdlib.zip") return send(readFileSync(await precompiledStdlib(root)), path);
      if (path.startsWith("/pyodide/") && PYODIDE_FILES.includes(path.slice(9))) {
        return send(readFileSync(join(pyodideDir, path.slice(9))), path);
      }
      if (path === "/py/dicomforge.zip") return send(await sourceArchive(root), path);
      if (path === "/py/wheels-pycache.zip") return send(readFileSync(await precompiledWheels(root)), path);
      if (path === "/wasm/kernels.wasm") return send(await compileKernels(root), path);
    } catch (err) {
      res.statusCode = 404;
      return res.end(String(err.message));
    }
    return missingWheel(path, wheelsDir, res) || next();
  };
}

function missingWheel(path, wheelsDir, res) {
  if (!path.startsWith("/wheels/") || existsSync(join(wheelsDir, path.slice("/wheels/".length)))) return false;
  res.statusCode = 404;
  res.end(`not found: ${path}`);
  return true;
}

export default function dicomforgeRuntime() {
  let root;
  let outDir;
  let base;
  return {
    name: "dicomforge-runtime",
    configResolved(config) {
      root = config.root;
      outDir = resolve(root, config.build.outDir);
      base = config.base;
    },
    transformIndexHtml: {
      order: "post",
      handler(html, { server }) {
        if (server) return html; // the dev server sends DEV_CSP as a header
        return html.replace("<head>", `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`);
      },
    },
    configureServer(server) {
      server.middlewares.use(devMiddleware(root));
    },
    configurePreviewServer(server) {
      const wheelsDir = join(outDir, "wheels");
      server.middlewares.use((req, res, next) => missingWheel((req.url ?? "").split("?")[0], wheelsDir, res) || next());
    },
    async generateBundle() {
      const emit = (fileName, source) => this.emitFile({ type: "asset", fileName, source });
      for (const name of PYODIDE_FILES) emit(`pyodide/${name}`, readFileSync(resolve(root, "node_modules/pyodide", name)));
      emit("pyodide/python_stdlib.zip", readFileSync(await precompiledStdlib(root)));
      emit("py/wheels-pycache.zip", readFileSync(await precompiledWheels(root)));
      emit("py/dicomforge.zip", await precompiledPackage(root, packageSources(root)));
      emit("wasm/kernels.wasm", await compileKernels(root));
    },
    closeBundle() {
      if (existsSync(join(outDir, "index.html"))) writeServiceWorker(root, outDir, base);
    },
  };
}
