// The example editor's page: open DICOM images (or a sample made in the page), paint or load a
// mask per image, export the images with the mask as overlay planes, or as a new series. It
// uses only the embedding API (web/api.js), as an image editor would.
import { viewingOrder } from "../../ui/image-order.js";

const $ = (id) => document.getElementById(id);

/** A sample volume made here: a 128x128x8 int16 "head" (ellipses, CT-like numbers) as NRRD. */
function sampleNrrd() {
  const [nx, ny, nz] = [128, 128, 8];
  const voxels = new Int16Array(nx * ny * nz).fill(-1000);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) {
        const [u, v] = [(x - 64) / 52, (y - 64) / 60];
        const inner = ((x - 50) / 10) ** 2 + ((y - 58) / 16) ** 2 < 1 || ((x - 80) / 10) ** 2 + ((y - 58) / 16) ** 2 < 1;
        if (u * u + v * v < 1) voxels[(z * ny + y) * nx + x] = u * u + v * v > 0.85 ? 900 : inner ? 10 : 40 + z;
      }
    }
  }
  const header = `NRRD0004\ntype: int16\ndimension: 3\nsizes: ${nx} ${ny} ${nz}\nspace: left-posterior-superior\n` +
    "space directions: (1.5,0,0) (0,1.5,0) (0,0,5)\nspace origin: (-96,-96,0)\nencoding: raw\nendian: little\n\n";
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(head.length + voxels.byteLength);
  out.set(head);
  out.set(new Uint8Array(voxels.buffer), head.length);
  return { name: "sample.nrrd", data: out };
}

/** @param {Promise<object>} dicomforge  the API, starting (createDicomforge()) */
export function setupEditor(dicomforge) {
  const image = $("image");
  const maskCanvas = $("mask");
  const slider = $("slice");
  let df = null;
  let slices = []; // {input, value (describe), mask: Uint8Array | null}
  let current = -1;

  function status(text, error = false) {
    $("status").textContent = text;
    $("status").className = error ? "error" : "";
  }

  function enable() {
    for (const id of ["export-overlays", "export-series"]) $(id).disabled = !df || !slices.length;
    slider.disabled = slices.length < 2;
  }

  function drawMask() {
    const slice = slices[current];
    const ctx = maskCanvas.getContext("2d");
    const { columns, rows } = slice.value;
    const pixels = new ImageData(columns, rows);
    const words = new Uint32Array(pixels.data.buffer);
    const mask = slice.mask;
    if (mask) for (let i = 0; i < mask.length; i++) if (mask[i]) words[i] = 0x99ff5a1e; // translucent orange
    ctx.putImageData(pixels, 0, 0);
  }

  async function show(index) {
    const slice = slices[index];
    if (!slice) return;
    current = index;
    slider.value = String(index);
    $("where").textContent = `${index + 1} of ${slices.length} · ${slice.input.name}`;
    try {
      const shown = await df.renderPreview(slice.input);
      if (current !== index) return;
      image.width = maskCanvas.width = shown.width;
      image.height = maskCanvas.height = shown.height;
      image.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(shown.rgba), shown.width, shown.height), 0, 0);
      drawMask();
    } catch (error) {
      status(`${slice.input.name}: ${error.message}`, true);
    }
  }

  async function open(files) {
    if (!df) return;
    status("Reading…");
    const { results, errors } = await df.describe(files);
    const images = results.filter((r) => r.value.kind === "dicom" && r.value.frames === 1 && r.value.rows);
    const byName = new Map(files.map((f) => [f.name, f]));
    slices = viewingOrder(images.map((r) => ({ name: r.file, input: byName.get(r.file), value: r.value })), (s) => s.value)
      .map((s) => ({ input: s.input, value: s.value, mask: null }));
    slider.max = String(Math.max(slices.length - 1, 0));
    enable();
    const skipped = results.length - images.length + errors.length;
    status(slices.length ? `${slices.length} images${skipped ? `, ${skipped} files not used` : ""}. Paint over them.`
      : `No single-frame DICOM images among the ${files.length} files.`, !slices.length);
    if (slices.length) await show(Math.floor(slices.length / 2));
  }

  // painting: a round brush in image pixels
  let painting = false;
  function paint(event) {
    const slice = slices[current];
    if (!slice) return;
    const box = maskCanvas.getBoundingClientRect();
    const { columns, rows } = slice.value;
    const cx = ((event.clientX - box.left) / box.width) * columns;
    const cy = ((event.clientY - box.top) / box.height) * rows;
    const r = Number($("brush").value);
    slice.mask ??= new Uint8Array(columns * rows);
    const value = $("erase").checked ? 0 : 1;
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(rows - 1, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(columns - 1, Math.ceil(cx + r)); x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) slice.mask[y * columns + x] = value;
      }
    }
    drawMask();
  }
  maskCanvas.addEventListener("pointerdown", (event) => {
    painting = true;
    maskCanvas.setPointerCapture(event.pointerId);
    paint(event);
  });
  maskCanvas.addEventListener("pointermove", (event) => painting && paint(event));
  for (const end of ["pointerup", "pointercancel"]) maskCanvas.addEventListener(end, () => (painting = false));

  $("clear").addEventListener("click", () => {
    if (slices[current]) slices[current].mask = null;
    if (slices[current]) drawMask();
  });
  slider.addEventListener("input", () => show(Number(slider.value)));
  $("open").addEventListener("change", (event) => {
    const files = [...event.target.files];
    event.target.value = "";
    open(files);
  });
  $("sample").addEventListener("click", async () => {
    if (!df) return;
    status("Making the sample series…");
    const series = await df.volumeToSeries([sampleNrrd()], { modality: "CT", seriesDescription: "editor sample" });
    await open(series.files.map((f) => ({ name: f.name, data: f.data })));
  });
  $("mask-file").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    const slice = slices[current];
    if (!file || !slice) return;
    const { columns, rows } = slice.value;
    const canvas = new OffscreenCanvas(columns, rows);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(await createImageBitmap(file), 0, 0, columns, rows);
    const rgba = ctx.getImageData(0, 0, columns, rows).data;
    slice.mask = new Uint8Array(columns * rows);
    for (let i = 0; i < slice.mask.length; i++) slice.mask[i] = rgba[4 * i + 3] > 127 && rgba[4 * i] + rgba[4 * i + 1] + rgba[4 * i + 2] > 0 ? 1 : 0;
    drawMask();
    status(`Mask loaded from ${file.name} onto image ${current + 1}.`);
  });

  function offer(zip, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(zip.blob);
    link.download = name;
    link.textContent = `Download ${name} (${zip.entries.length} files)`;
    $("downloads").replaceChildren(link);
  }

  async function exporting(what, run) {
    for (const id of ["export-overlays", "export-series"]) $(id).disabled = true;
    status(`${what}…`);
    try {
      await run();
    } catch (error) {
      status(`${what} failed: ${error.file ? `${error.file}: ` : ""}${error.message}`, true);
    } finally {
      enable();
    }
  }

  $("export-overlays").addEventListener("click", () => exporting("Exporting overlays", async () => {
    const marked = slices.filter((s) => s.mask?.some((v) => v));
    if (!marked.length) {
      status("Paint a mask (or load one) on at least one image first.", true);
      return;
    }
    const masks = Object.fromEntries(marked.map((s) => [s.value.sopInstanceUid, s.mask]));
    const out = await df.addOverlays(marked.map((s) => s.input), masks, { type: "G" },
      { zip: { compression: "STORE" }, onProgress: (p) => status(`Exporting overlays… ${p.done}/${p.total}`) });
    offer(out.zip, "overlays.zip");
    status(`${out.zip.entries.length} images with their mask as an overlay plane.`);
  }));
  $("export-series").addEventListener("click", () => exporting("Exporting the series", async () => {
    const out = await df.volumeToSeries(slices.map((s) => s.input), { seriesDescription: "edited" },
      { zip: { compression: "STORE" }, onProgress: (p) => status(`Exporting the series… ${p.done}/${p.total}`) });
    offer(out.zip, "series.zip");
    status(`A new series of ${out.zip.entries.length} images.`);
  }));

  dicomforge.then(
    (api) => {
      df = api;
      enable();
      status("Ready: open DICOM images or use the sample.");
    },
    (error) => status(`Could not start: ${error.message}`, true),
  );
}
