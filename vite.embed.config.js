import { resolve } from "node:path";
import { defineConfig } from "vite";
import { quietLogger } from "./web/build/quiet-logger.js";
import dicomforgeRuntime from "./web/build/vite-plugin-dicomforge.js";

// `make build-embed`: the folder an image editor hosts as is (dist-embed/): dicomforge.js (the
// embedding API, web/api.js, as one ES module), its workers under assets/, and the runtime it
// loads from beside it (pyodide/, wheels/, py/). Relative URLs throughout (base "./"), so the
// folder works wherever it is served; createDicomforge() finds the runtime beside the module.
export default defineConfig({
  plugins: [dicomforgeRuntime()],
  customLogger: quietLogger(),
  base: "./",
  define: {
    __DICOMFORGE_PACKAGES_URL__: JSON.stringify(process.env.DICOMFORGE_PACKAGES_URL ?? ""),
    __DICOMFORGE_EMBED__: "true",
  },
  worker: { format: "es" },
  build: {
    outDir: process.env.DICOMFORGE_EMBED_OUT_DIR ?? "dist-embed",
    target: "es2022",
    rollupOptions: {
      input: { dicomforge: resolve(import.meta.dirname, "web/api.js") },
      preserveEntrySignatures: "exports-only",
      output: { entryFileNames: "[name].js" },
    },
  },
});
