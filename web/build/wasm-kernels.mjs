// The SIMD kernels (web/worker/kernels.wat) compiled to WebAssembly with wabt, the
// WebAssembly Binary Toolkit: at build time for the app (vite-plugin-dicomforge.js serves
// and emits wasm/kernels.wasm) and when Node runs the Pyodide tests.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import wabtInit from "wabt";

/** kernels.wat as WebAssembly bytes (validated). */
export async function compileKernels(root) {
  const wabt = await wabtInit();
  const module = wabt.parseWat("kernels.wat", readFileSync(resolve(root, "web/worker/kernels.wat"), "utf8"), { simd: true });
  try {
    module.validate();
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
