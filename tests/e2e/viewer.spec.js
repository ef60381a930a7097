// The viewer: load DICOM files, drag the window, presets, overlays, frames per second.
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { PYTHON, pydicomTestFile, waitReady, watchPage } from "./helpers.js";

/** A 512x512 int16 CT slice written by dicomforge's series writer (smooth pattern + noise). */
function ct512() {
  const code = `
import sys, numpy as np
from dicomforge.series.options import SeriesOptions
from dicomforge.series.plan import write_series
from dicomforge.volume import Volume
y, x = np.mgrid[0:512, 0:512]
img = (1000 * np.sin(x / 40) * np.cos(y / 55) + np.random.default_rng(1).integers(-50, 50, (512, 512))).astype(np.int16)
(name, data), = write_series(Volume(img.tobytes(), "int16", (512, 512, 1), (0.7, 0.7, 1.0), (0, 0, 0)), SeriesOptions(modality="CT"))
sys.stdout.buffer.write(data)
`;
  return execFileSync(PYTHON, ["-c", code], { env: { ...process.env, PYTHONPATH: "py" }, maxBuffer: 1 << 24 });
}

const files = (...names) =>
  names.map((name) => ({ name, mimeType: "application/dicom", buffer: pydicomTestFile(name) }));

/** CT_small with a ring drawn as an overlay plane by dicomforge's own overlay writer. */
function ctWithOverlay() {
  const code = `
import sys
from pydicom.data import get_testdata_file
from dicomforge.inputs import NamedInput
from dicomforge.overlays.options import MaskPlane, OverlayOptions
from dicomforge.overlays.write import add_overlays
data = open(get_testdata_file("CT_small.dcm"), "rb").read()
mask = bytes(1 if 30 ** 2 < (r - 64) ** 2 + (c - 64) ** 2 < 34 ** 2 else 0 for r in range(128) for c in range(128))
out = add_overlays(NamedInput("CT_small.dcm", data), [MaskPlane(mask, "ring")], OverlayOptions())
sys.stdout.buffer.write(out)
`;
  return execFileSync(PYTHON, ["-c", code], { env: { ...process.env, PYTHONPATH: "py" }, maxBuffer: 1 << 24 });
}

/** A cheap fingerprint of the canvas pixels. */
const canvasSum = (page) =>
  page.locator("#viewer canvas").evaluate((canvas) => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum += data[i] * ((i >> 2) % 7 + 1);
    return sum;
  });

async function dragOnCanvas(page, steps, dx, dy) {
  const canvas = page.locator("#viewer canvas");
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) await page.mouse.move(x + (dx * i) / steps, y + (dy * i) / steps);
  await page.mouse.up();
}

test("drag changes center and width and the pixels; presets; overlays drawn", async ({ page }, testInfo) => {
  const { consoleErrors } = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles(files("CT_small.dcm", "examples_overlay.dcm"));
  const viewer = page.locator("#viewer");
  await expect(viewer).toHaveAttribute("data-painted", /\d+/);
  const before = { center: await viewer.getAttribute("data-center"), width: await viewer.getAttribute("data-width") };
  const sumBefore = await canvasSum(page);

  await dragOnCanvas(page, 10, 60, -40); // right: wider; up: lower center
  await expect(viewer).not.toHaveAttribute("data-center", before.center);
  const after = { center: Number(await viewer.getAttribute("data-center")), width: Number(await viewer.getAttribute("data-width")) };
  expect(after.width).toBeGreaterThan(Number(before.width));
  expect(after.center).toBeLessThan(Number(before.center));
  await expect(viewer.locator('[name="center"]')).toHaveValue(String(Math.round(after.center * 100) / 100));
  expect(await canvasSum(page)).not.toBe(sumBefore);

  // a CT preset sets the window it names
  await viewer.locator('[name="preset"]').selectOption({ label: "lung (C -600 / W 1500)" });
  await expect(viewer).toHaveAttribute("data-center", "-600");
  await expect(viewer).toHaveAttribute("data-width", "1500");
  await viewer.screenshot({ path: testInfo.outputPath("ct-lung.png") });

  // the next image (arrow key) has an overlay, drawn and toggled off
  await viewer.locator("canvas").focus();
  await page.keyboard.press("ArrowDown");
  await expect(viewer.locator(".viewer-position")).toHaveText("image 2/2");
  const toggle = viewer.locator(".overlay-toggles input");
  await expect(toggle).toHaveCount(1);
  const withOverlay = await canvasSum(page);
  await viewer.screenshot({ path: testInfo.outputPath("overlay.png") });
  await toggle.uncheck();
  expect(await canvasSum(page)).not.toBe(withOverlay);
  expect(consoleErrors).toEqual([]);
});

test("a CT with an overlay plane: drawn in colour over the lung window, toggled per group", async ({ page }, testInfo) => {
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles([{ name: "ct_ring.dcm", mimeType: "application/dicom", buffer: ctWithOverlay() }]);
  const viewer = page.locator("#viewer");
  await expect(viewer.locator(".overlay-toggles label")).toContainText("ring");
  await viewer.locator('[name="preset"]').selectOption({ label: "lung (C -600 / W 1500)" });
  await expect(viewer).toHaveAttribute("data-center", "-600");
  // the ring's pixels (row 64, column 64 + 32) carry the overlay colour, the centre does not
  const pixel = (x, y) =>
    page.locator("#viewer canvas").evaluate((c, [px, py]) => [...c.getContext("2d").getImageData(px, py, 1, 1).data], [x, y]);
  const [r, g, b] = await pixel(96, 64);
  expect(r).toBeGreaterThan(200);
  expect(g).toBeGreaterThan(200);
  expect(b).toBeLessThan(50); // yellow: the first overlay group's colour
  const centre = await pixel(64, 64);
  expect(centre[0]).toBe(centre[2]); // grey
  await viewer.screenshot({ path: testInfo.outputPath("ct-overlay.png") });
  await viewer.locator(".overlay-toggles input").uncheck();
  const [r2, g2, b2] = await pixel(96, 64);
  expect(r2 === g2 && g2 === b2).toBe(true);
});

test("frames per second while dragging a 512x512 CT (reported, not asserted)", async ({ page }, testInfo) => {
  await page.goto("/");
  await waitReady(page);
  await page.locator("#file-input").setInputFiles([{ name: "ct512.dcm", mimeType: "application/dicom", buffer: ct512() }]);
  const viewer = page.locator("#viewer");
  await expect(viewer).toHaveAttribute("data-painted", /\d+/);
  const paintedBefore = Number(await viewer.getAttribute("data-painted"));
  const start = Date.now();
  await dragOnCanvas(page, 120, 300, -150);
  await expect.poll(async () => Number(await viewer.getAttribute("data-painted"))).toBeGreaterThan(paintedBefore);
  const seconds = (Date.now() - start) / 1000;
  const frames = Number(await viewer.getAttribute("data-painted")) - paintedBefore;
  const fps = frames / seconds;
  testInfo.annotations.push({ type: "fps", description: `${fps.toFixed(1)} frames/s (${frames} paints in ${seconds.toFixed(2)} s)` });
  console.log(`viewer drag: ${fps.toFixed(1)} frames/s (${frames} paints in ${seconds.toFixed(2)} s)`);
  expect(frames).toBeGreaterThan(5);
});
