// Where a browser build serves each codec's WebAssembly (Vite emits the files; the service
// worker precaches them with the rest of the build), and how the worker compiles one: only
// when a file first needs its codec (codecs.js).
import htj2k from "@cornerstonejs/codec-openjph/wasm?url";
import jpeg2000 from "@cornerstonejs/codec-openjpeg/decodewasm?url";
import jpegLs from "@cornerstonejs/codec-charls/decodewasm?url";
import jpeg from "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url";

const CODEC_WASM_URLS = { jpeg, "jpeg-ls": jpegLs, jpeg2000, htj2k };

/** The compiled module of *family*'s codec, from our origin (streamed when served as wasm). */
export async function compileCodec(family) {
  const response = await fetch(CODEC_WASM_URLS[family]);
  if (!response.ok) throw new Error(`${CODEC_WASM_URLS[family]}: HTTP ${response.status}`);
  if (response.headers.get("Content-Type")?.startsWith("application/wasm")) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}
