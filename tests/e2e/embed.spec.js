// The embedding build (make build-embed -> dist-embed/) hosted as is by another site: an
// editor's page, on its own server, copies the folder under vendor/ and runs the README's
// embedding example against it. camelCase options work; a snake_case one is refused with the
// valid names; nothing is fetched from anywhere but that server.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, crossOrigin, watchPage } from "./helpers.js";

const EMBED = "dist-embed";
const MIME = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".json": "application/json", ".zip": "application/zip", ".whl": "application/zip" };

// the README's example, as an editor writes it (web/api.js is the same module, unbundled)
const HOST_PAGE = `<!doctype html><meta charset="utf-8"><title>editor</title><link rel="icon" href="data:,">
<script type="module">
import { createDicomforge, zipEntryBlob } from "./vendor/dicomforge/dicomforge.js";
window.example = async (volume) => {
  const df = await createDicomforge();
  const series = await df.volumeToSeries([volume], { modality: "CT", seriesDescription: "x" });
  const { zip: archive } = await df.volumeToSeries([volume], { modality: "CT" }, { zip: { compression: "STORE" } });
  const middle = await zipEntryBlob(archive, archive.entries[1]);
  const shown = await df.renderPreview(series.files[0], { png: true });
  const refused = [];
  for (const options of [{ series_description: "x" }, { seriesDescriptoin: "x" }]) {
    try {
      await df.volumeToSeries([volume], options);
    } catch (error) {
      refused.push({ name: error.name, message: error.message });
    }
  }
  df.terminate();
  return { info: df.info, names: series.files.map((f) => f.name), first: Array.from(series.files[0].data),
           entries: archive.entries.length, middle: Array.from(new Uint8Array(await middle.arrayBuffer())), refused,
           png: { type: shown.png.type, head: Array.from(new Uint8Array(await shown.png.slice(0, 8).arrayBuffer())),
                  width: shown.width, height: shown.height } };
};
window.transcode = async (file) => {
  const df = await createDicomforge();
  const { files, warnings } = await df.transcode([file], { to: "explicit" });
  df.terminate();
  return { names: files.map((f) => f.name), first: Array.from(files[0].data), warnings };
};
window.volumes = async (volume) => {
  const df = await createDicomforge();
  const { zip: store } = await df.toZarr([volume], { compressor: "blosc" }, { zip: { compression: "STORE" } });
  const storeBytes = new Uint8Array(await store.blob.arrayBuffer());
  const { files } = await df.exportVolume([{ name: "back.zarr.zip", data: storeBytes }], { format: "nrrd" });
  df.terminate();
  return { entries: store.entries.map((e) => e.name), store: Array.from(storeBytes), nrrd: files.map((f) => f.name),
           nrrdBytes: Array.from(files[0].data) };
};
</script>`;

let server;
let origin;

test.beforeAll(async () => {
  expect(existsSync(join(EMBED, "dicomforge.js")), "run make build-embed first").toBe(true);
  const site = mkdtempSync(join(tmpdir(), "dicomforge-editor-"));
  cpSync(EMBED, join(site, "vendor", "dicomforge"), { recursive: true });
  writeFileSync(join(site, "index.html"), HOST_PAGE);
  server = createServer((req, res) => {
    const path = normalize(join(site, decodeURIComponent(new URL(req.url, "http://x").pathname)));
    const file = path.endsWith("/") ? join(path, "index.html") : path;
    if (!file.startsWith(site) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": MIME[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

test.afterAll(() => server?.close());

test("an editor hosts dist-embed as is and runs the README's example against it", async ({ page }) => {
  const { requests, consoleErrors } = watchPage(page);
  const volume = execFileSync(PYTHON, ["-c", "import sys; from dicomforge.phantom import phantom_nifti; "
    + "sys.stdout.buffer.write(phantom_nifti((16, 12, 3)))"], { env: { ...process.env, PYTHONPATH: "py" }, maxBuffer: 1 << 24 });
  await page.goto(`${origin}/`);
  const result = await page.evaluate((bytes) => window.example({ name: "seg.nii", data: new Uint8Array(bytes) }),
    Array.from(volume));

  expect(result.info).toMatchObject({ pydicom: "3.0.2", backend: "js" });
  expect(result.names).toEqual(["slice_0001.dcm", "slice_0002.dcm", "slice_0003.dcm"]);
  expect(result.entries).toBe(3);
  expect(result.png).toEqual({ type: "image/png", head: [137, 80, 78, 71, 13, 10, 26, 10], width: 16, height: 12 });
  const check = `import io, json, sys, pydicom
r = json.load(sys.stdin)
ds = pydicom.dcmread(io.BytesIO(bytes(r["first"])))
mid = pydicom.dcmread(io.BytesIO(bytes(r["middle"])))
print(json.dumps([ds.SeriesDescription, ds.Modality, int(mid.InstanceNumber)]))`;
  const read = JSON.parse(execFileSync(PYTHON, ["-c", check], { input: JSON.stringify(result), encoding: "utf8" }));
  expect(read).toEqual(["x", "CT", 2]);
  expect(result.refused).toHaveLength(2);
  for (const refusal of result.refused) {
    expect(refusal.name).toBe("DicomForgeError");
    expect(refusal.message).toMatch(/^unknown series option\(s\): \w+ \(valid: seriesDescription, .*memoryBudget/);
  }
  expect(crossOrigin(requests, origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test("the hosted build decodes compressed DICOM with its own codecs: df.transcode", async ({ page }) => {
  const { requests, consoleErrors } = watchPage(page);
  const where = execFileSync(PYTHON, ["-c", "from pydicom.data import get_testdata_file as g; print(g('JPEG2000.dcm'))"],
    { encoding: "utf8" }).trim();
  await page.goto(`${origin}/`);
  const result = await page.evaluate((bytes) => window.transcode({ name: "ct.dcm", data: new Uint8Array(bytes) }),
    Array.from(readFileSync(where)));
  expect(result.names).toEqual(["ct.dcm"]);
  const check = `import io, json, sys, pydicom
r = json.load(sys.stdin)
out, original = pydicom.dcmread(io.BytesIO(bytes(r["first"]))), pydicom.dcmread(sys.argv[1])
print(json.dumps([out.file_meta.TransferSyntaxUID.name, bool((out.pixel_array == original.pixel_array).all())]))`;
  const read = JSON.parse(execFileSync(PYTHON, ["-c", check, where], { input: JSON.stringify(result), encoding: "utf8" }));
  expect(read).toEqual(["Explicit VR Little Endian", true]);
  expect(requests.some((url) => /openjpegwasm_decode-.*\.wasm$/.test(url))).toBe(true);
  expect(crossOrigin(requests, origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test("the hosted build writes a Zarr zip store and exports it back: df.toZarr, df.exportVolume", async ({ page }) => {
  const { requests, consoleErrors } = watchPage(page);
  const volume = execFileSync(PYTHON, ["-c", "import sys; from dicomforge.phantom import phantom_nifti; "
    + "sys.stdout.buffer.write(phantom_nifti((16, 12, 3)))"], { env: { ...process.env, PYTHONPATH: "py" }, maxBuffer: 1 << 24 });
  await page.goto(`${origin}/`);
  const result = await page.evaluate((bytes) => window.volumes({ name: "head.nii", data: new Uint8Array(bytes) }),
    Array.from(volume));
  expect(result.entries).toEqual(["zarr.json", "0/zarr.json", "0/c/0/0/0", "0/c/1/0/0", "0/c/2/0/0"]);
  expect(result.nrrd).toEqual(["back.nrrd"]);
  const check = `import io, json, sys, tempfile, zarr, nrrd, numpy, nibabel
r = json.load(sys.stdin)
with tempfile.TemporaryDirectory() as d:
    open(d + "/s.zip", "wb").write(bytes(r["store"]))
    array = zarr.open_array(zarr.storage.ZipStore(d + "/s.zip", mode="r"), path="0", mode="r")[:]
    open(d + "/b.nrrd", "wb").write(bytes(r["nrrdBytes"]))
    back, _ = nrrd.read(d + "/b.nrrd")
    open(d + "/h.nii", "wb").write(bytes(json.loads(sys.argv[1])))
    original = numpy.asanyarray(nibabel.load(d + "/h.nii").dataobj)
print(json.dumps([bool((array == original.transpose(2, 1, 0)).all()), bool((back == original).all())]))`;
  const read = JSON.parse(execFileSync(PYTHON, ["-c", check, JSON.stringify(Array.from(volume))],
    { input: JSON.stringify(result), encoding: "utf8", maxBuffer: 1 << 26 }));
  expect(read).toEqual([true, true]);
  expect(crossOrigin(requests, origin)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
