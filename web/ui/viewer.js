// The canvas viewer: Python decides the mapping (an 8-bit table over the stored values),
// the canvas applies it, so dragging the window stays smooth.
//
// Drag horizontally for width, vertically for center (the viewers' convention); wheel or
// arrow keys for the next slice/frame; preset menu, numeric fields, reset, overlay opacity,
// save as PNG. Images are shown turned as radiologists expect, with their edges' letters.

import { isColour, paintPreview, storedValues } from "./viewer-canvas.js";

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
  const notes = root.querySelector(".viewer-notes");
  const position = root.querySelector(".viewer-position");
  const toggles = root.querySelector(".overlay-toggles");
  const opacityInput = field("opacity");
  const markers = Object.fromEntries([...root.querySelectorAll(".marker")].map((el) => [el.dataset.edge, el]));

  let images = [];
  let state = null; // { index, frame, value, values, lut, window, initial, hidden: Set }
  let hidden = new Set(); // overlay groups the user switched off (kept from image to image)
  let pending = null; // the window waiting for a table
  let inFlight = false;
  let painted = 0;
  let loading = 0; // the latest show() call: an older one that finishes late is dropped

  function showMessage(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  /** What the file gets wrong that the display worked around, beside the image. */
  function showNotes(warnings = []) {
    notes.replaceChildren(...warnings.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    notes.hidden = !warnings.length;
  }

  function showMarkers(value) {
    const letters = value?.orientation?.markers;
    for (const [edge, el] of Object.entries(markers)) {
      el.textContent = letters?.[edge] ?? "";
      el.hidden = !letters;
    }
  }

  function paint() {
    const { value, values, lut } = state;
    paintPreview(canvas, { value, values, lut, hidden, opacity: Number(opacityInput.value) / 100 });
    painted += 1;
    root.dataset.painted = String(painted);
    root.dataset.center = String(state.window?.center ?? "");
    root.dataset.width = String(state.window?.width ?? "");
    const o = value.orientation ?? {};
    root.dataset.turn = [o.transpose && "transpose", o.flipH && "flipH", o.flipV && "flipV"].filter(Boolean).join(" ");
  }

  /** Nothing shown: after a failure, no control may still speak of the previous image. */
  function clearView(index, text) {
    state = null;
    pending = null;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    presetSelect.replaceChildren(new Option("(no presets)", ""));
    toggles.replaceChildren();
    showMarkers(null);
    showNotes([]);
    centerInput.value = widthInput.value = "";
    centerInput.disabled = widthInput.disabled = presetSelect.disabled = true;
    position.textContent = `image ${index + 1}/${images.length}`;
    root.dataset.center = root.dataset.width = root.dataset.turn = "";
    showMessage(text);
  }

  function showWindowFields() {
    const w = state.window;
    // the menu names the window shown when it is one of the presets (a drag leaves them all)
    const index = (state.value.presets ?? []).findIndex((p) => p.name === w?.name && p.center === w?.center && p.width === w?.width);
    presetSelect.value = index >= 0 ? String(index) : "";
    centerInput.value = w ? String(Math.round(w.center * 100) / 100) : "";
    widthInput.value = w ? String(Math.round(w.width * 100) / 100) : "";
    centerInput.disabled = widthInput.disabled = presetSelect.disabled = !w;
  }

  /** Ask Python for the table of *window*; coalesces requests so only the latest is built. */
  function setWindow(window) {
    if (!state || isColour(state.value)) return;
    state.window = window;
    showWindowFields();
    pending = window;
    if (!inFlight) requestTable();
  }

  async function requestTable() {
    inFlight = true;
    while (pending && state) {
      const window = pending;
      const view = state;
      pending = null;
      try {
        const lut = await displayLut(view.value.display, window);
        if (state !== view) continue; // another image (or none) is shown now
        view.lut = lut;
        showMessage("");
        paint();
      } catch (error) {
        if (state === view) showMessage(error.message);
      }
    }
    inFlight = false;
  }

  function fillPresets(value) {
    presetSelect.replaceChildren(new Option("(choose a preset)", ""));
    for (const [i, p] of (value.presets ?? []).entries()) {
      const label = p.center == null ? p.name : `${p.name} (C ${p.center} / W ${p.width})`;
      presetSelect.append(new Option(label, String(i)));
    }
  }

  function fillToggles(value) {
    toggles.replaceChildren();
    for (const plane of value.overlays) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = !hidden.has(plane.group);
      box.addEventListener("change", () => {
        if (box.checked) hidden.delete(plane.group);
        else hidden.add(plane.group);
        if (state) paint();
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
    const call = ++loading;
    imageSelect.value = String(index);
    let value;
    try {
      value = await loadImage(image, frame);
    } catch (error) {
      if (call === loading) clearView(index, `${image.name}: ${error.message}`);
      return;
    }
    if (call !== loading) return; // a later image was asked for meanwhile
    state = {
      index, frame, value, values: isColour(value) ? null : storedValues(value), lut: value.lut,
      window: value.window ?? null, initial: value.window ?? null,
    };
    position.textContent = `image ${index + 1}/${images.length}` + (value.frames > 1 ? ` · frame ${frame + 1}/${value.frames}` : "");
    fillPresets(value);
    fillToggles(value);
    showMarkers(value);
    showNotes(value.warnings);
    showMessage("");
    showWindowFields();
    if (carried && !isColour(value)) setWindow(carried);
    else paint();
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
    const preset = state?.value.presets?.[Number(presetSelect.value)];
    if (preset) setWindow({ ...preset, function: preset.function ?? "LINEAR", voi: preset.voi ?? null });
  });
  opacityInput.addEventListener("input", () => state && paint());
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
