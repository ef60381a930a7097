// Where a browser build serves each codec's WebAssembly (Vite emits the files; the service
// worker precaches them with the rest of the build). URLs only: nothing is fetched until a
// file needs its codec (codecs.js).
import htj2k from "@cornerstonejs/codec-openjph/wasm?url";
import jpeg2000 from "@cornerstonejs/codec-openjpeg/decodewasm?url";
import jpegLs from "@cornerstonejs/codec-charls/decodewasm?url";
import jpeg from "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url";

export const CODEC_WASM_URLS = { jpeg, "jpeg-ls": jpegLs, jpeg2000, htj2k };
