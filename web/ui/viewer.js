// The canvas viewer: Python decides the mapping (an 8-bit table over the stored values),
// the canvas applies it, so dragging the window stays smooth.
//
// Drag horizontally for width, vertically for center (the viewers' convention); wheel or
// arrow keys for the next slice/frame; preset menu, numeric fields, reset, save as PNG.

const TYPED = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array };

/** A typed view of a preview result's stored values (little-endian, as the browser is). */
function storedValues(value) {
  const Type = TYPED[value.dtype] ?? Uint8Array;
  const bytes = value.pixels;
  return new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
}

const rgba32 = ([r, g, b, a]) => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;

/**
 * @param {HTMLElement} root  the viewer section (toolbar fields, canvas, message)
 * @param {{loadImage: (image: object, frame: number) => Promise<object>,
 *          displayLut: (frameInfo: object, window: object) => Promise<Uint8Array>}} source
 */
export function setupViewer(root, { loadImage, displayLut }) {
  const canvas = root.querySelector("canvas");
  const ctx = canvas.getContext("2d");
  const field = (name) => root.querySelector(`[name="${name}"]`);
  const [imageSelect, presetSelect, centerInput, widthInput] = ["image", "preset", "center", "width"].map(field);
  const message = root.querySelector(".viewer-message");
  const position = root.querySelector(".viewer-position");
  const toggles = root.querySelector(".overlay-toggles");

  let images = [];
  let state = null; // { index, frame, value, values, lut, window, initial, hidden: Set }
  let pending = null; // the window waiting for a table
  let inFlight = false;
  let painted = 0;

  function showMessage(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function paint() {
    const { value, values, lut, hidden } = state;
    const { rows, columns } = value;
    canvas.width = columns;
    canvas.height = rows;
    const image = ctx.createImageData(columns, rows);
    const out = new Uint32Array(image.data.buffer);
    if (value.lut === null) {
      const rgb = value.pixels;
      for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = rgba32([rgb[j], rgb[j + 1], rgb[j + 2], 255]);
    } else {
      const table = new Uint32Array(lut.length);
      for (let k = 0; k < lut.length; k++) table[k] = rgba32([lut[k], lut[k], lut[k], 255]);
      const offset = value.lutOffset;
      for (let i = 0; i < out.length; i++) out[i] = table[values[i] - offset];
    }
    for (const plane of value.overlays) {
      if (hidden.has(plane.group)) continue;
      const colour = rgba32(plane.color);
      const bits = plane.bits;
      for (let i = 0; i < out.length; i++) if (bits[i]) out[i] = colour;
    }
    ctx.putImageData(image, 0, 0);
    painted += 1;
    root.dataset.painted = String(painted);
    root.dataset.center = String(state.window?.center ?? "");
    root.dataset.width = String(state.window?.width ?? "");
  }

  function showWindowFields() {
    const w = state.window;
    centerInput.value = w ? String(Math.round(w.center * 100) / 100) : "";
    widthInput.value = w ? String(Math.round(w.width * 100) / 100) : "";
    centerInput.disabled = widthInput.disabled = presetSelect.disabled = !w;
  }

  /** Ask Python for the table of *window*; coalesces requests so only the latest is built. */
  function setWindow(window) {
    if (!state || state.value.lut === null) return;
    state.window = window;
    showWindowFields();
    pending = window;
    if (!inFlight) requestTable();
  }

  async function requestTable() {
    inFlight = true;
    while (pending) {
      const window = pending;
      pending = null;
      try {
        state.lut = await displayLut(state.value.display, window);
        showMessage("");
        paint();
      } catch (error) {
        showMessage(error.message);
      }
    }
    inFlight = false;
  }

  function fillPresets(value) {
    presetSelect.replaceChildren(new Option("(choose a preset)", ""));
    for (const [i, p] of (value.presets ?? []).entries()) {
      presetSelect.append(new Option(`${p.name} (C ${p.center} / W ${p.width})`, String(i)));
    }
  }

  function fillToggles(value) {
    toggles.replaceChildren();
    for (const plane of value.overlays) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = !state.hidden.has(plane.group);
      box.addEventListener("change", () => {
        if (box.checked) state.hidden.delete(plane.group);
        else state.hidden.add(plane.group);
        paint();
      });
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = `rgb(${plane.color.slice(0, 3).join(",")})`;
      label.append(box, swatch, ` ${plane.label || `overlay ${plane.group.toString(16)}`}`);
      toggles.append(label);
    }
  }

  /** Load image *index* (frame *frame*); stepping through a series keeps the user's window. */
  async function show(index, frame = 0, keepWindow = false) {
    const image = images[index];
    if (!image) return;
    const carried = keepWindow ? state?.window : null;
    try {
      const value = await loadImage(image, frame);
      state = {
        index, frame, value, values: value.lut === null ? null : storedValues(value), lut: value.lut,
        window: value.window, initial: value.window, hidden: state?.hidden ?? new Set(),
      };
      imageSelect.value = String(index);
      position.textContent = `image ${index + 1}/${images.length}` + (value.frames > 1 ? ` · frame ${frame + 1}/${value.frames}` : "");
      fillPresets(value);
      fillToggles(value);
      showMessage("");
      showWindowFields();
      if (carried && value.lut !== null) setWindow(carried);
      else paint();
    } catch (error) {
      showMessage(`${image.name}: ${error.message}`);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
    }
  }

  /** Next/previous frame, then image; the window is kept within a file or a series. */
  function step(delta) {
    if (!state) return;
    const frames = state.value.frames ?? 1;
    const frame = state.frame + delta;
    if (frames > 1 && frame >= 0 && frame < frames) return show(state.index, frame, true);
    const index = Math.min(images.length - 1, Math.max(0, state.index + delta));
    const series = images[state.index].series;
    if (index !== state.index) return show(index, 0, Boolean(series) && images[index].series === series);
  }

  // drag: horizontal = width, vertical = center, scaled to the data range
  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    if (!state?.window) return;
    canvas.setPointerCapture(event.pointerId);
    const [lo, hi] = state.value.range;
    drag = { x: event.clientX, y: event.clientY, start: { ...state.window }, scale: Math.max(hi - lo, 1) / 256 };
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const width = Math.max(1, drag.start.width + (event.clientX - drag.x) * drag.scale);
    const center = drag.start.center + (event.clientY - drag.y) * drag.scale;
    setWindow({ ...drag.start, center, width, voi: null });
  });
  const endDrag = () => (drag = null);
  canvas.addEventListener("pointerup", endDrag);
  canvas.addEventListener("pointercancel", endDrag);
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    step(event.deltaY > 0 ? 1 : -1);
  }, { passive: false });
  canvas.addEventListener("keydown", (event) => {
    const delta = { ArrowDown: 1, ArrowRight: 1, PageDown: 1, ArrowUp: -1, ArrowLeft: -1, PageUp: -1 }[event.key];
    if (delta) {
      event.preventDefault();
      step(delta);
    }
  });

  imageSelect.addEventListener("change", () => show(Number(imageSelect.value)));
  presetSelect.addEventListener("change", () => {
    const preset = state?.value.presets[Number(presetSelect.value)];
    if (preset) setWindow({ center: preset.center, width: preset.width, function: preset.function ?? "LINEAR", voi: preset.voi ?? null });
  });
  const typed = () => {
    const center = Number(centerInput.value);
    const width = Number(widthInput.value);
    if (Number.isFinite(center) && Number.isFinite(width)) setWindow({ ...state.window, center, width, voi: null });
  };
  centerInput.addEventListener("change", typed);
  widthInput.addEventListener("change", typed);
  field("reset").addEventListener("click", () => state && setWindow(state.initial));
  field("save").addEventListener("click", () => {
    if (!state) return;
    canvas.toBlob((blob) => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${images[state.index].name.replace(/[^\w.-]+/g, "_")}.png`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    }, "image/png");
  });

  return {
    /**
     * Show these images (DICOM inputs: {name, data, series?}), starting at image *start*
     * (a generated series opens at its middle slice, where the anatomy is).
     */
    setImages(list, title = "Preview", start = 0) {
      images = list;
      root.hidden = !list.length;
      root.querySelector("h2").textContent = title;
      imageSelect.replaceChildren(...list.map((image, i) => new Option(image.name, String(i))));
      state = null;
      if (list.length) show(Math.min(start, list.length - 1));
    },
  };
}
