// The worker's codecs (web/worker/codecs.js) under Node: their .wasm read from node_modules.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { CODEC_WASM_PATHS, Codecs } from "../../web/worker/codecs.js";

const require = createRequire(import.meta.url);

/** A Codecs whose modules are compiled from the packages' files. */
export const nodeCodecs = () => new Codecs(async (family) => WebAssembly.compile(await readFile(require.resolve(CODEC_WASM_PATHS[family]))));
