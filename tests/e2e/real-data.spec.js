// Real data as users bring it (issue "real data"): scanner rounding, stored windows of width 0,
// colour and palette images, shuffled files, RAS volumes, failed previews, re-exported series,
// two-file volumes, errors in plain words, hostile names, drops outside the box. One test per
// defect, on files of the kind that showed it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, download, pydicomTestFile, waitReady, watchPage } from "./helpers.js";

const CASES = "tests/py/scanner_cases.py";
const env = { ...process.env, PYTHONPATH: "py:tests/py" };
const python = (code, ...args) => execFileSync(PYTHON, ["-c", code, ...args], { encoding: "utf8", env, maxBuffer: 1 << 26 });

/** Write case *kind* into a new folder; returns [folder, file names]. */
function makeCase(kind) {
  const dir = mkdtempSync(join(tmpdir(), `dicomforge-${kind}-`));
  return [dir, execFileSync(PYTHON, [CASES, kind, dir], { encoding: "utf8", env }).trim().split("\n")];
}

async function ready(page) {
  const watched = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  return watched;
}

const recognised = (page, count, total = count) =>
  expect(page.locator("#progress .progress-text")).toHaveText(`${count} of ${total} inputs recognised.`);

const viewer = (page) => page.locator("#viewer");

/** Drop the 20 slices of the oblique MR case (not its label map); returns [folder, slice names]. */
async function dropObliqueSeries(page) {
  const [dir, names] = makeCase("oblique");
  const slices = names.filter((n) => n.startsWith("IM"));
  await page.locator("#file-input").setInputFiles(slices.map((n) => join(dir, n)));
  await recognised(page, 20);
  return [dir, slices];
}

/** The RGB of the canvas pixel at (x, y) of the shown (turned) image. */
const canvasPixel = (page, x, y) =>
  viewer(page).locator("canvas").evaluate((canvas, [px, py]) => [...canvas.getContext("2d").getImageData(px, py, 1, 1).data.slice(0, 3)], [x, y]);

test("1. overlays on an oblique series with scanner rounding: every file written with its slice's planes", async ({ page }) => {
  const { consoleErrors } = await ready(page);
  const [dir, names] = makeCase("oblique");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await recognised(page, 21);
  await page.locator("#overlay-form").getByRole("button", { name: "Add overlays" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 20 files.");
  await expect(page.locator("#input-list")).toContainText("made perpendicular");
  const report = JSON.parse(execFileSync(PYTHON, [CASES, "check-oblique", await download(page, dir, "o.zip")], { encoding: "utf8", env }));
  expect(Object.keys(report)).toHaveLength(20);
  expect(Object.values(report).every(Boolean)).toBe(true);
  expect(consoleErrors).toEqual([]);
});

test("2. a stored window of width 0 is ignored with a note; the image shows in its data's range", async ({ page }) => {
  const { consoleErrors } = await ready(page);
  const [dir, names] = makeCase("width0");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
  await expect(viewer(page).locator(".viewer-notes")).toContainText("Window Width of 'file window 1' is 0 (LINEAR needs at least 1): ignored");
  await expect(viewer(page).locator('[name="width"]')).not.toHaveValue("");
  expect(Number(await viewer(page).getAttribute("data-width"))).toBeGreaterThan(1);
  await expect(viewer(page).locator(".viewer-message")).toBeHidden();
  expect(consoleErrors).toEqual([]);
});

test("3. colour images (RGB, RLE, YBR_FULL_422) and palette colour preview in their colours", async ({ page }) => {
  const { consoleErrors } = await ready(page);
  const names = ["SC_rgb_rle.dcm", "SC_ybr_full_422_uncompressed.dcm", "examples_palette.dcm", "ExplVR_BigEnd.dcm"];
  await page.locator("#file-input").setInputFiles(names.map((name) => ({ name, mimeType: "application/dicom", buffer: pydicomTestFile(name) })));
  await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
  // what pydicom (with its colour conversion and palette) gives at a few pixels
  const expected = JSON.parse(python(`
import json, sys
from pydicom import dcmread
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut
out = {}
for name in sys.argv[1:]:
    ds = dcmread(get_testdata_file(name))
    arr = ds.pixel_array
    if ds.PhotometricInterpretation == "PALETTE COLOR":
        arr = apply_color_lut(arr, ds) >> 8
    out[name] = [[int(c) for c in arr[y, x][:3]] for x, y in ((0, 0), (ds.Columns // 2, ds.Rows // 3), (ds.Columns - 1, ds.Rows - 1))]
print(json.dumps(out))`, ...names));
  const select = viewer(page).locator('[name="image"]');
  for (const name of names) {
    await select.selectOption({ label: name });
    await expect(viewer(page).locator(".viewer-position")).toContainText(`image ${names.indexOf(name) + 1}/`);
    await expect(viewer(page).locator(".viewer-message")).toBeHidden();
    const size = await viewer(page).locator("canvas").evaluate((c) => [c.width, c.height]);
    const got = [];
    for (const [x, y] of [[0, 0], [Math.floor(size[0] / 2), Math.floor(size[1] / 3)], [size[0] - 1, size[1] - 1]]) got.push(await canvasPixel(page, x, y));
    expect(got, name).toEqual(expected[name]);
  }
  expect(consoleErrors).toEqual([]);
});

test("4. the viewer steps through a shuffled series along the slice normal", async ({ page }) => {
  await ready(page);
  await dropObliqueSeries(page);
  const order = JSON.parse(python(`
import json
from scanner_cases import oblique_mr_series
_, truth = oblique_mr_series()
print(json.dumps(sorted(truth["slice_of"], key=truth["slice_of"].get)))`));
  const listed = await viewer(page).locator('[name="image"] option').allInnerTexts();
  expect(listed).toEqual(order);
  await viewer(page).locator("canvas").focus();
  await page.keyboard.press("ArrowDown");
  await expect(viewer(page).locator('[name="image"]')).toHaveValue("1");
});

test("5. a CT volume saved in RAS reads radiologically: turned, lettered, in a soft-tissue window", async ({ page }) => {
  const { consoleErrors } = await ready(page);
  const [dir, names] = makeCase("ct-nrrd");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await recognised(page, 1);
  await page.locator("#series-form").getByLabel("Modality").selectOption("CT");
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 6 files.");
  await expect(viewer(page)).toHaveAttribute("data-turn", "flipH flipV");
  const markers = viewer(page).locator(".marker");
  expect(await markers.evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.edge, e.textContent])))).toEqual(
    { top: "A", bottom: "P", left: "R", right: "L" });
  await expect(viewer(page)).toHaveAttribute("data-center", "40");
  await expect(viewer(page)).toHaveAttribute("data-width", "400");
  // the bone-like band lies at the front of the body: at the top of the picture
  const [top, bottom] = [await canvasPixel(page, 48, 12), await canvasPixel(page, 48, 70)];
  expect(top[0]).toBe(255);
  expect(bottom[0]).toBeLessThan(255);
  expect(consoleErrors).toEqual([]);
});

test("6. after a failed preview nothing of the previous image remains; presets then set the window", async ({ page }) => {
  await ready(page);
  const names = ["CT_small.dcm", "MR_truncated.dcm"];
  await page.locator("#file-input").setInputFiles(names.map((name) => ({ name, mimeType: "application/dicom", buffer: pydicomTestFile(name) })));
  await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
  await viewer(page).locator('[name="image"]').selectOption({ label: "MR_truncated.dcm" });
  await expect(viewer(page).locator(".viewer-message")).toContainText("MR_truncated.dcm: Pixel Data is truncated");
  await expect(viewer(page).locator(".viewer-position")).toHaveText("image 2/2");
  await expect(viewer(page).locator('[name="center"]')).toHaveValue("");
  await expect(viewer(page).locator('[name="preset"] option')).toHaveText(["(no presets)"]);
  await expect(viewer(page).locator(".marker").first()).toBeHidden();
  await viewer(page).locator('[name="image"]').selectOption({ label: "CT_small.dcm" });
  await expect(viewer(page).locator(".viewer-message")).toBeHidden();
  const painted = Number(await viewer(page).getAttribute("data-painted"));
  await viewer(page).locator('[name="preset"]').selectOption({ label: "bone (C 400 / W 1800)" });
  await expect(viewer(page)).toHaveAttribute("data-center", "400");
  await expect(viewer(page)).toHaveAttribute("data-width", "1800");
  expect(Number(await viewer(page).getAttribute("data-painted"))).toBeGreaterThan(painted);
  await expect(viewer(page).locator('[name="center"]')).toHaveValue("400");
});

test("7. a DICOM series re-exported keeps its patient, study, frame of reference and acquisition", async ({ page }) => {
  await ready(page);
  const [dir, slices] = await dropObliqueSeries(page);
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 20 files.");
  await expect(page.locator("#download a")).toContainText("Download t2_tse_obl.zip");
  const zip = await download(page, dir, "re.zip");
  const kept = JSON.parse(python(`
import json, sys, zipfile, io, pydicom
z = zipfile.ZipFile(sys.argv[1]); src = pydicom.dcmread(sys.argv[2])
out = [pydicom.dcmread(io.BytesIO(z.read(n))) for n in z.namelist()]
keys = ["PatientID", "PatientName", "StudyInstanceUID", "FrameOfReferenceUID", "Modality", "EchoTime", "RepetitionTime", "SliceThickness", "SeriesDescription"]
print(json.dumps({k: all(str(ds.get(k)) == str(src.get(k)) for ds in out) for k in keys} | {"new series": all(ds.SeriesInstanceUID != src.SeriesInstanceUID for ds in out)}))`,
  zip, join(dir, slices[0])));
  expect(kept).toEqual(Object.fromEntries(Object.keys(kept).map((k) => [k, true])));
});

test("8. a MetaImage pair in other case is one volume; an unrelated bad file does not stop overlay removal", async ({ page }) => {
  const { consoleErrors } = await ready(page);
  const [dir] = makeCase("width0");
  const files = JSON.parse(python(`
import json, sys, SimpleITK as sitk, numpy as np
d = sys.argv[1]
sitk.WriteImage(sitk.GetImageFromArray(np.arange(4 * 16 * 16, dtype=np.int16).reshape(4, 16, 16)), d + "/Head.mhd")
import os; os.rename(d + "/Head.raw", d + "/HEAD.RAW")
print(json.dumps(["Head.mhd", "HEAD.RAW"]))`, dir));
  await page.locator("#file-input").setInputFiles(files.map((n) => join(dir, n)));
  await recognised(page, 2);
  await expect(page.locator('#input-list li[data-file="HEAD.RAW"]')).toHaveText(/data file of a two-file volume/);
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 4 files.");
  await expect(page.locator("#input-list li.error")).toHaveCount(0);

  const withOverlay = { name: "examples_overlay.dcm", mimeType: "application/dicom", buffer: pydicomTestFile("examples_overlay.dcm") };
  const broken = { name: "broken.nii", mimeType: "application/octet-stream", buffer: Buffer.from("\\x5c\\x01 not nifti at all") };
  await page.locator("#file-input").setInputFiles([withOverlay, broken]);
  await expect(page.locator("#overlay-form button[type=submit]")).toHaveText("Remove overlays");
  await page.locator("#overlay-form").getByLabel("Remove all existing overlays first").check();
  await page.locator("#overlay-form button[type=submit]").click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 1 files.");
  expect(consoleErrors).toEqual([]);
});

test("9. errors in plain words beside what caused them: an option, a 4 GB length, one wrong label map", async ({ page }) => {
  await ready(page);
  const [dir, names] = makeCase("ct-nrrd");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await recognised(page, 1);
  const form = page.locator("#series-form");
  await form.getByLabel("File name pattern").fill("%99999999d");
  await form.getByRole("button", { name: "Convert" }).click();
  const field = form.locator("label.invalid", { has: page.locator('[name="filePattern"]') });
  await expect(field.locator(".field-error")).toHaveText("filePattern '%99999999d' gives names of 99999999 characters (at most 255)");
  await expect(page.locator("#input-list li.error")).toHaveCount(0);
  await expect(page.locator("#progress .progress-text")).toContainText("Failed: filePattern");

  // a DICOM file whose element claims 4 GB (pydicom in Pyodide: "cannot fit 'int' into an index-sized integer")
  const huge = JSON.parse(python(`
import json, struct
from pydicom.data import get_testdata_file
data = open(get_testdata_file("CT_small.dcm"), "rb").read()
at = data.find(b"\\x08\\x00\\x16\\x00")
data = data[:at] + b"\\x09\\x00\\x10\\x00UN\\x00\\x00" + struct.pack("<I", 0xFFFFFFF0) + b"x" * 16 + data[at:]
print(json.dumps(list(data)))`));
  await page.locator("#file-input").setInputFiles([{ name: "huge.dcm", mimeType: "application/dicom", buffer: Buffer.from(huge) }]);
  await expect(page.locator('#input-list li[data-file="huge.dcm"]')).toContainText("element (0009,0010) needs 4294967280 bytes");
  await expect(page.locator("#input-list")).not.toContainText(/index-sized|struct\.error|format requires|Traceback/);

  // 20 files that a label map on another grid does not fit: one entry, not 20
  const [odir, onames] = makeCase("oblique");
  python(`
import sys, numpy as np, nrrd
nrrd.write(sys.argv[1] + "/small.nrrd", np.ones((8, 8, 20), np.uint8), {"space": "left-posterior-superior", "space directions": np.eye(3)})
`, odir);
  const dicom = onames.filter((n) => n.startsWith("IM"));
  await page.locator("#file-input").setInputFiles([...dicom, "small.nrrd"].map((n) => join(odir, n)));
  await recognised(page, 21);
  await page.locator("#overlay-form button[type=submit]").click();
  await expect(page.locator("#progress .progress-text")).toContainText("Nothing was written");
  const rows = page.locator("#input-list li.error");
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("20 files");
  await expect(rows).toContainText("is 64x48 (columns x rows), the label map small.nrrd is 8x8");
});

test("10. hostile file patterns give zip entries every extractor takes as plain names", async ({ page }) => {
  await ready(page);
  const [dir, names] = makeCase("ct-nrrd");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await recognised(page, 1);
  await page.locator("#series-form").getByLabel("File name pattern").fill("a\\..\\..\\CON%d?.dcm");
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 6 files.");
  const listing = execFileSync("unzip", ["-Z1", await download(page, dir, "names.zip")], { encoding: "utf8" }).trim().split("\n");
  expect(listing).toEqual([1, 2, 3, 4, 5, 6].map((k) => `a_.._.._CON${k}_.dcm`));
});

test("11. a file dropped anywhere on the page is taken, never opened by the browser", async ({ page }) => {
  await ready(page);
  const bytes = [...pydicomTestFile("CT_small.dcm")];
  const url = page.url();
  await page.evaluate((data) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(data)], "CT_small.dcm", { type: "application/dicom" }));
    const target = document.querySelector("footer");
    for (const type of ["dragenter", "dragover", "drop"]) {
      const event = new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true });
      target.dispatchEvent(event);
      window[`prevented_${type}`] = event.defaultPrevented;
    }
  }, bytes);
  await recognised(page, 1);
  expect(await page.evaluate(() => [window.prevented_dragover, window.prevented_drop])).toEqual([true, true]);
  expect(page.url()).toBe(url);
});

test("13. a frame-denying policy, a 404 for unknown paths, overlay opacity, named zips, a full progress bar", async ({ page, request }) => {
  const home = await request.get("/");
  expect(home.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(home.headers()["x-frame-options"]).toBe("DENY");
  expect((await request.get("/no/such/page")).status()).toBe(404);

  const { consoleErrors } = await ready(page);
  const overlay = { name: "examples_overlay.dcm", mimeType: "application/dicom", buffer: pydicomTestFile("examples_overlay.dcm") };
  await page.locator("#file-input").setInputFiles([overlay]);
  await expect(viewer(page)).toHaveAttribute("data-painted", /\d+/);
  const sum = () => viewer(page).locator("canvas").evaluate((c) => c.getContext("2d").getImageData(0, 0, c.width, c.height).data.reduce((a, b) => a + b, 0));
  const opaque = await sum();
  await viewer(page).locator('[name="opacity"]').fill("30");
  await expect.poll(sum).not.toBe(opaque);
  await viewer(page).locator('[name="opacity"]').fill("0");
  const none = await sum();
  await viewer(page).locator(".overlay-toggles input").uncheck();
  expect(await sum()).toBe(none); // at opacity 0 the plane adds nothing

  const [dir, names] = makeCase("ct-nrrd");
  await page.locator("#file-input").setInputFiles(names.map((n) => join(dir, n)));
  await recognised(page, 1);
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#download a")).toContainText("Download chest.zip");
  expect(await page.locator("#progress progress").evaluate((bar) => bar.value === bar.max && bar.max > 0)).toBe(true);
  expect(consoleErrors).toEqual([]);
  expect(readFileSync(join(dir, names[0])).length).toBeGreaterThan(0); // (inputs untouched: still there)
});
