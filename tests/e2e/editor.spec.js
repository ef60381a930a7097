// The editor example as a person uses it: the sample, a painted mask, a loaded PNG mask,
// overlays and a new series exported and downloaded (checked with pydicom).
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { PYTHON, watchPage } from "./helpers.js";

const env = { ...process.env, PYTHONPATH: "py" };

test("paint on the sample, load a PNG mask, export overlays and a series, download both", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  const dir = mkdtempSync(join(tmpdir(), "dicomforge-editor-"));
  await page.goto("/web/examples/editor/index.html");
  await expect(page.locator("#status")).toHaveText("Ready: open DICOM images or use the sample.", { timeout: 60_000 });
  await page.getByRole("button", { name: "Use the sample" }).click();
  await expect(page.locator("#status")).toHaveText("8 images. Paint over them.");
  await expect(page.locator("#where")).toContainText("5 of 8");

  // a stroke across the middle of image 5
  const box = await page.locator("#mask").boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 12 });
  await page.mouse.up();
  // a PNG mask (a filled square) on image 2
  const png = execFileSync(PYTHON, ["-c", `
import sys, struct, zlib
w = h = 128
rows = b"".join(b"\\x00" + b"".join(b"\\xff\\xff\\xff\\xff" if 20 <= x < 40 and 30 <= y < 50 else b"\\x00\\x00\\x00\\x00" for x in range(w)) for y in range(h))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
sys.stdout.buffer.write(b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))`]);
  await page.locator("#slice").fill("1");
  await expect(page.locator("#where")).toContainText("2 of 8");
  await page.locator("#mask-file").setInputFiles({ name: "square.png", mimeType: "image/png", buffer: png });
  await expect(page.locator("#status")).toHaveText("Mask loaded from square.png onto image 2.");

  await page.getByRole("button", { name: "Export with the mask as overlays" }).click();
  await expect(page.locator("#status")).toHaveText("2 images with their mask as an overlay plane.");
  let download = page.waitForEvent("download");
  await page.locator("#downloads a").click();
  const overlays = join(dir, "overlays.zip");
  await (await download).saveAs(overlays);
  const report = JSON.parse(execFileSync(PYTHON, ["-c", `
import io, json, sys, zipfile, pydicom
z = zipfile.ZipFile(sys.argv[1])
out = {}
for name in z.namelist():
    ds = pydicom.dcmread(io.BytesIO(z.read(name)))
    plane = ds.overlay_array(0x6000)
    out[str(ds.InstanceNumber)] = [int(plane.sum()), int(plane[64, 38:90].sum()), int(plane[30:50, 20:40].sum())]
print(json.dumps(out))`, overlays], { encoding: "utf8", env }));
  expect(Object.keys(report).sort()).toEqual(["2", "5"]);
  expect(report["5"][1]).toBeGreaterThan(40); // the stroke crosses the middle row
  expect(report["2"]).toEqual([400, 0, 400]); // the square, exactly

  await page.getByRole("button", { name: "Export as a new series" }).click();
  await expect(page.locator("#status")).toHaveText("A new series of 8 images.");
  download = page.waitForEvent("download");
  await page.locator("#downloads a").click();
  const series = join(dir, "series.zip");
  await (await download).saveAs(series);
  const described = execFileSync(PYTHON, ["-c", `
import io, sys, zipfile, pydicom
z = zipfile.ZipFile(sys.argv[1])
print(sorted({pydicom.dcmread(io.BytesIO(z.read(n))).SeriesDescription for n in z.namelist()}), len(z.namelist()))`, series], { encoding: "utf8", env });
  expect(described.trim()).toBe("['edited'] 8");
  expect(consoleErrors).toEqual([]);
});
