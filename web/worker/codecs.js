// Compressed frames decoded in the worker: the Cornerstone WebAssembly codecs (libjpeg-turbo,
// CharLS, OpenJPEG, OpenJPH) and jpeg-lossless-decoder-js, each loaded the first time an input
// needs it, then handed to Python (dicomforge.dicom.codecs.register) as a decoder with the
// contract written there: decode(fragment, out, rows, columns, samples, bitsAllocated, signed,
// photometric) writes the frame's samples into `out` (a Python bytearray, written in place through its
// buffer: no copy back) and returns the photometric interpretation of what it wrote.
// Knows nothing of the DOM; how the .wasm files are fetched is the host's (codec-assets.js).

/** Codec family (dicomforge.dicom.codecs.FAMILIES) -> how to load it. `colour`: what its
 * three-sample output is, "RGB" when the codec converts YCbCr itself (libjpeg-turbo), "" when
 * the samples are as the file says (JPEG 2000's own colour transforms are undone by the codec
 * and named YBR_ICT / YBR_RCT in the file: Python relabels those). */
const FAMILIES = {
  jpeg: {
    module: () => import("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs"), wasm: "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm",
    decoder: "JPEGDecoder", colour: "RGB", eightBit: true,
  },
  "jpeg-ls": {
    module: () => import("@cornerstonejs/codec-charls/decodewasmjs"), wasm: "@cornerstonejs/codec-charls/decodewasm",
    decoder: "JpegLSDecoder", colour: "",
  },
  jpeg2000: {
    module: () => import("@cornerstonejs/codec-openjpeg/decodewasmjs"), wasm: "@cornerstonejs/codec-openjpeg/decodewasm",
    decoder: "J2KDecoder", colour: "",
  },
  // OpenJPH mis-orders colour components coded without its colour transform: colour HTJ2K goes
  // to OpenJPEG (which reads HTJ2K too, half as fast), grey to OpenJPH
  htj2k: {
    module: () => import("@cornerstonejs/codec-openjph/wasmjs"), wasm: "@cornerstonejs/codec-openjph/wasm",
    decoder: "HTJ2KDecoder", colour: "", colourVia: "jpeg2000",
  },
  "jpeg-lossless": { module: () => import("jpeg-lossless-decoder-js"), lossless: true, colour: "" },
};

export const CODEC_FAMILIES = Object.keys(FAMILIES);

/** The package path of each WebAssembly codec's .wasm (a host that reads files, Node, resolves them). */
export const CODEC_WASM_PATHS = Object.fromEntries(
  Object.entries(FAMILIES).filter(([, spec]) => spec.wasm).map(([family, spec]) => [family, spec.wasm]),
);

/**
 * The codecs of one worker: `ensure(families, register)` loads and registers the missing ones.
 * Python holds one decoder a family for the worker's life; it calls the family's current
 * module instance. An Emscripten codec that threw a C++ exception out to JS (a damaged
 * codestream) or trapped is not used again: its stack is not unwound (CharLS then hangs on
 * its next damaged frame). A fresh instance replaces it at once, made synchronously from the
 * family's compiled module (kept from the first load), so the next frame has a sound codec.
 * @param {(family: string) => Promise<WebAssembly.Module>} compileWasm  the host's way to
 *   compile a family's .wasm (codec-assets.js in the browser: from our origin).
 */
export class Codecs {
  #loaded = new Map(); // family -> Promise<true> once its first instance is current
  #current = {}; // family -> decode function of its live instance
  #made = {}; // family -> {factory, compiled}: what a fresh instance is made from
  #compileWasm;
  /** family -> {frames, ms}: where decoding time goes (a job sets its own before each step). */
  stats = {};

  constructor(compileWasm) {
    this.#compileWasm = compileWasm;
  }

  /**
   * Load *families* (names from dicomforge.dicom.codecs.wanted), all at once, and register
   * each with Python's codec registry (*register(family, decode)*). A codec that fails to
   * load is not registered: Python then says the transfer syntax cannot be decoded here.
   * @returns {Promise<string[]>} the problems, one line each (none when all loaded)
   */
  async ensure(families, register) {
    const known = families.filter((family) => FAMILIES[family]);
    for (const family of known) if (!this.#loaded.has(family)) this.#loaded.set(family, this.#start(family));
    const problems = [];
    for (const family of known) {
      try {
        await this.#loaded.get(family);
        register(family, this.#dispatcher(family));
      } catch (err) {
        this.#loaded.delete(family); // (try again next time)
        problems.push(`the ${family} codec could not be loaded here: ${err?.message ?? err}`);
      }
    }
    return problems;
  }

  async #start(family) {
    const spec = FAMILIES[family];
    if (spec.colourVia && !this.#loaded.has(spec.colourVia)) this.#loaded.set(spec.colourVia, this.#start(spec.colourVia));
    const imported = await spec.module();
    if (spec.lossless) {
      this.#current[family] = losslessDecoder(imported.Decoder ?? imported.default?.Decoder ?? imported.lossless?.Decoder);
    } else {
      this.#made[family] = { factory: imported.default ?? imported, compiled: await this.#compileWasm(family) };
      this.#current[family] = this.#instance(family);
    }
    if (spec.colourVia) await this.#loaded.get(spec.colourVia);
    return true;
  }

  /** A fresh instance of *family*'s codec, made synchronously from its compiled module. */
  #instance(family) {
    const { factory, compiled } = this.#made[family];
    const quiet = () => {}; // (OpenJPEG reports every header it reads)
    const codec = {
      print: quiet,
      printErr: quiet,
      instantiateWasm(imports, receive) {
        const instance = new WebAssembly.Instance(compiled, imports);
        receive(instance, compiled);
        return instance.exports;
      },
    };
    factory(codec).catch(() => {}); // (with a synchronous instance, `codec` is ready when it returns)
    if (typeof codec[FAMILIES[family].decoder] !== "function") throw new Error(`the ${family} codec did not start`);
    return wasmDecoder(codec, FAMILIES[family]);
  }

  /** The one function Python calls for *family*: timed, and renewed after a damaging failure. */
  #dispatcher(family) {
    const via = FAMILIES[family].colourVia;
    return (fragment, out, rows, columns, samples, ...rest) => {
      const chosen = via && samples === 3 ? via : family;
      const t0 = performance.now();
      try {
        return this.#current[chosen](fragment, out, rows, columns, samples, ...rest);
      } catch (err) {
        if (err?.renew) this.#current[chosen] = this.#instance(chosen);
        throw err;
      } finally {
        const entry = (this.stats[family] ??= { frames: 0, ms: 0 });
        entry.frames += 1;
        entry.ms += performance.now() - t0;
      }
    };
  }
}

/** A Python bytearray's bytes as a Uint8Array view (valid until released; no Python runs meanwhile). */
function withBuffer(pyObject, use) {
  const view = pyObject.getBuffer("u8");
  try {
    return use(view.data);
  } finally {
    view.release();
  }
}

function fitInto(target, samples, bytesPerSample, count) {
  // widen 8-bit output into 16- or 32-bit samples (the low byte; Bits Stored masks the rest)
  if (samples.length !== count * bytesPerSample) {
    throw mismatch(`the codec gave ${samples.length} bytes for ${count} samples of ${bytesPerSample} byte(s)`);
  }
  const size = target.length / count;
  if (!Number.isInteger(size) || size < bytesPerSample) {
    throw mismatch(`the codec gave ${bytesPerSample}-byte samples, the header says ${size}`);
  }
  if (size === bytesPerSample) {
    target.set(samples);
    return;
  }
  target.fill(0);
  for (let i = 0; i < count; i++) {
    for (let b = 0; b < bytesPerSample; b++) target[i * size + b] = samples[i * bytesPerSample + b];
  }
}

/** A damaged codestream, in words; *renew*: the codec's memory may be damaged too. */
function damaged(reason = "the codec stopped on it", renew = false) {
  return Object.assign(new Error(`the codestream is damaged (${reason})`), { renew, ours: true });
}

/** The codestream and the file's header disagree (said as it is). */
function mismatch(message) {
  return Object.assign(new Error(message), { ours: true });
}

/** An error Python's codec layer reports as unsupported, not as a damaged file (its `name`). */
function unsupported(message) {
  const error = new Error(message);
  error.name = "UnsupportedCodestream";
  error.ours = true;
  return error;
}

/** RRR..GGG..BBB.. -> RGBRGB.. for samples of *size* bytes. */
function interleaved(planes, samples, size) {
  const out = new Uint8Array(planes.length);
  const plane = planes.length / samples;
  for (let s = 0; s < samples; s++) {
    for (let i = 0, j = s * size; i < plane; i += size, j += samples * size) {
      for (let b = 0; b < size; b++) out[j + b] = planes[s * plane + i + b];
    }
  }
  return out;
}

function checkShape(width, height, components, rows, columns, samples) {
  if (width !== columns || height !== rows || components !== samples) {
    throw mismatch(
      `the codestream holds ${width}x${height} with ${components} sample(s), ` +
        `the header says ${columns}x${rows} with ${samples}`,
    );
  }
}

/** The marker segments of a JPEG codestream before its first scan: [{marker, start, end}]. */
function jpegSegments(bytes) {
  const segments = [];
  for (let i = 2; i + 4 <= bytes.length; ) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1];
    const end = i + 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
    segments.push({ marker, start: i, end });
    if (marker === 0xda) break; // SOS: the entropy-coded data follows
    i = end;
  }
  return segments;
}

/** The sample precision of a JPEG codestream's frame header (SOF0-SOF15), 0 when none is found. */
export function jpegPrecision(bytes) {
  const sof = jpegSegments(bytes).find(({ marker }) => marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker));
  return sof ? bytes[sof.start + 4] : 0;
}

const ADOBE_RGB = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];
const isJfif = (bytes, { marker, start }) => marker === 0xe0 && String.fromCharCode(...bytes.subarray(start + 4, start + 8)) === "JFIF";
// an Adobe marker with its transform byte (libjpeg-turbo and Pillow ignore a shorter one)
const isAdobe = (bytes, { marker, start, end }) => marker === 0xee && end - start >= 16 && String.fromCharCode(...bytes.subarray(start + 4, start + 9)) === "Adobe";

/**
 * A colour JPEG the file says is RGB (PS3.5 8.2.1: no colour transform) unless the codestream
 * says otherwise with an Adobe marker: libjpeg-turbo would take it for YCbCr and convert it.
 * The same codestream with the JFIF marker left out and an Adobe marker saying "no transform"
 * (transform 0) decodes to its samples as they are, as pydicom and dcmtk give them.
 */
export function asUntransformedRgb(bytes) {
  const segments = jpegSegments(bytes);
  if (segments.some((segment) => isAdobe(bytes, segment))) return bytes; // (the codestream says)
  const dropped = segments.filter((segment) => isJfif(bytes, segment) || segment.marker === 0xee);
  const out = new Uint8Array(bytes.length + ADOBE_RGB.length - dropped.reduce((n, s) => n + s.end - s.start, 0));
  out.set(bytes.subarray(0, 2));
  out.set(ADOBE_RGB, 2);
  let at = 2 + ADOBE_RGB.length;
  let from = 2;
  for (const { start, end } of dropped) {
    out.set(bytes.subarray(from, start), at);
    at += start - from;
    from = end;
  }
  out.set(bytes.subarray(from), at);
  return out;
}

/** What went wrong inside a codec's decode(), as an error Python can show. A C++ exception
 * (thrown to JS as a pointer) or a trap leaves the instance unfit: it is not used again. */
function codecFailure(err, state) {
  if (typeof err === "number" || err instanceof WebAssembly.RuntimeError) state.unfit = true;
  return damaged("the codec stopped on it", state.unfit);
}

function wasmDecoder(codec, spec) {
  const state = { unfit: false };
  return (fragment, out, rows, columns, samples, bitsAllocated, signed, photometric) => {
    if (state.unfit) throw damaged("a damaged frame before it stopped the codec", true); // (not used again)
    let decoder = null;
    try {
      decoder = new codec[spec.decoder]();
      withBuffer(fragment, (stream) => {
        let bytes = stream;
        if (spec.eightBit && jpegPrecision(bytes) > 8) {
          throw unsupported(`${jpegPrecision(bytes)}-bit JPEG cannot be decoded here: the browser's JPEG codec (libjpeg-turbo) reads 8-bit samples only`);
        }
        if (spec.eightBit && samples === 3 && photometric === "RGB") bytes = asUntransformedRgb(bytes);
        decoder.getEncodedBuffer(bytes.length).set(bytes);
      });
      decoder.decode();
      const info = decoder.getFrameInfo();
      if (!info.width || !info.height) throw damaged("the codec found no image in it");
      checkShape(info.width, info.height, info.componentCount, rows, columns, samples);
      let decoded = decoder.getDecodedBuffer(); // (a view into the codec's own memory for some)
      const bytesPerSample = info.bitsPerSample <= 8 ? 1 : info.bitsPerSample <= 16 ? 2 : 4;
      if (samples > 1 && decoder.getInterleaveMode?.() === 0) {
        decoded = interleaved(decoded, samples, bytesPerSample); // JPEG-LS, one scan a plane
      }
      withBuffer(out, (target) => fitInto(target, decoded, bytesPerSample, rows * columns * samples));
      return samples === 3 ? spec.colour : "";
    } catch (err) {
      throw err?.ours ? err : codecFailure(err, state);
    } finally {
      try {
        decoder?.delete();
      } catch {
        // (a trapped instance cannot free it: it is being renewed)
      }
    }
  };
}

function losslessDecoder(Decoder) {
  return (fragment, out, rows, columns, samples) => {
    const bytes = withBuffer(fragment, (view) => view.slice()); // (its own copy: the decoder keeps a DataView)
    const decoder = new Decoder();
    let decoded;
    try {
      decoded = new Uint8Array(decoder.decompress(bytes.buffer, 0, bytes.length));
    } catch {
      // its own words are a parser's ("index=-99 in getn()", a TypeError): not the user's
      throw damaged("the JPEG Lossless decoder stopped on it");
    }
    checkShape(decoder.xDim, decoder.yDim, decoder.numComp, rows, columns, samples);
    const count = rows * columns * samples;
    withBuffer(out, (target) => fitInto(target, decoded, decoded.length / count, count));
    return "";
  };
}
