// Viewer window/level drag in headless chromium against the built app: drop one 512x512
// int16 CT file, wait for the first paint, then drag on the canvas for a few seconds as a
// user does (a pointer move every 4 ms or as fast as the browser takes them) and count the frames
// the viewer paints (its data-painted counter). Each move asks the worker for the display
// table of the new window (Python, the active pixel backend) and the canvas repaints with
// it; moves that arrive while a table is being made are merged into the next request.
// Prints frames/s per run and their median, and the worker's time per table. Figures only.
// Usage: node tests/bench/viewer.mjs [--seconds 3] [--runs 3] [--url http://localhost:4173/]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { option, PYTHON } from "./args.mjs";

const seconds = Number(option("seconds", 3));
const runs = Number(option("runs", 3));
const url = option("url", "http://localhost:4173/");

const dir = mkdtempSync(join(tmpdir(), "dicomforge-viewer-"));
const path = join(dir, "ct_512.dcm");
execFileSync(PYTHON, ["-c", `
import sys
from pydicom.uid import CTImageStorage, generate_uid
from dicomforge.bench.synthetic import ct_frame
ds = ct_frame(1)
ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
ds.save_as(sys.argv[1], enforce_file_format=True)
`, path], { env: { ...process.env, PYTHONPATH: "py" } });

const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
const rates = [];
try {
  for (let run = 1; run <= runs; run++) {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
    const backend = (await page.textContent("#versions"))?.match(/backend (\w+)/)?.[1];
    await page.setInputFiles("#file-input", path);
    const viewer = page.locator("#viewer");
    await viewer.waitFor({ state: "visible", timeout: 120_000 });
    await page.waitForFunction(() => Number(document.querySelector("#viewer").dataset.painted) >= 1, null, { timeout: 120_000 });
    await page.locator("#viewer canvas").scrollIntoViewIfNeeded();
    const box = await page.locator("#viewer canvas").boundingBox();
    const x0 = box.x + box.width / 2, y0 = box.y + box.height / 2;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    const painted = async () => Number(await viewer.getAttribute("data-painted"));
    const before = await painted();
    const start = Date.now();
    let step = 0;
    const moves = []; // sent without waiting for each (a round trip to the browser takes longer than 4 ms)
    while (Date.now() - start < seconds * 1000) {
      step++;
      moves.push(page.mouse.move(x0 + 60 * Math.sin(step / 20), y0 + 60 * Math.cos(step / 33)));
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    await Promise.all(moves);
    const elapsed = (Date.now() - start) / 1000;
    await page.mouse.up();
    const frames = (await painted()) - before;
    rates.push(frames / elapsed);
    console.log(`run ${run}: ${frames} frames in ${elapsed.toFixed(2)} s = ${(frames / elapsed).toFixed(1)} frames/s ` +
      `(${step} pointer moves, ${(step / elapsed).toFixed(0)}/s; backend ${backend})`);
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
const sorted = [...rates].sort((a, b) => a - b);
console.log(`viewer drag, 512x512 int16 CT: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} frames/s ` +
  `(runs: ${rates.map((r) => r.toFixed(1)).join(", ")})`);
