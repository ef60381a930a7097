import { resolve } from "node:path";
import { defineConfig } from "vite";
import { quietLogger } from "./web/build/quiet-logger.js";
import dicomforgeRuntime, { DEV_CSP, HEADER_CSP, securityHeaders } from "./web/build/vite-plugin-dicomforge.js";

// Build-time settings (environment variables, read here and nowhere else):
//   DICOMFORGE_PACKAGES_URL  URL of a hosted full Pyodide package set (the folder with
//                            pyodide-lock.json and numpy's wheel). When set, the worker also
//                            loads numpy from there; off by default.
export default defineConfig({
  plugins: [dicomforgeRuntime()],
  customLogger: quietLogger(),
  define: {
    __DICOMFORGE_PACKAGES_URL__: JSON.stringify(process.env.DICOMFORGE_PACKAGES_URL ?? ""),
  },
  // "mpa": a path that is no file is a 404, not the app's page (no client-side routes here)
  appType: "mpa",
  server: { port: 5173, strictPort: true, headers: securityHeaders(DEV_CSP) },
  preview: { port: 4173, strictPort: true, headers: securityHeaders(HEADER_CSP) },
  worker: { format: "es" },
  optimizeDeps: { exclude: ["pyodide"] },
  build: {
    outDir: process.env.DICOMFORGE_OUT_DIR ?? "dist",
    target: "es2022",
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        bench: resolve(import.meta.dirname, "web/bench/index.html"),
        editor: resolve(import.meta.dirname, "web/examples/editor/index.html"),
      },
    },
  },
});
