// STOW-RS from the page to a local Orthanc (serving the built app itself, dist-orthanc): a
// 512x512xN int16 CT series made by the series job, sent in batches; instances/s and MB/s, against
// dcmtk's storescu and our pynetdicom C-STORE (python -m dicomforge send) of the same files natively.
// Figures, not assertions; every run printed. Usage: node tests/bench/stow.mjs [--slices 300] [--runs 3]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "@playwright/test";
import config, { CHROMIUM_ARGS } from "../../playwright.config.js";
import { PYTHON, option, runPython } from "./args.mjs";

const slices = Number(option("slices", 300));
const runs = Number(option("runs", 3));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const freePort = () => new Promise((done) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => done(port));
  });
});

const dir = mkdtempSync(join(tmpdir(), "dicomforge-stow-"));
runPython(`
import sys, numpy as np, nibabel as nib
from dicomforge import jobs
from dicomforge.inputs import NamedInput
n, folder = int(sys.argv[1]), sys.argv[2]
vol = (np.random.default_rng(1).normal(0, 50, (n, 512, 512))).astype("<i2")
nib.save(nib.Nifti1Image(vol.transpose(2, 1, 0), np.diag([0.7, 0.7, 1.25, 1])), folder + "/ct.nii")
for e in jobs.start("series", [NamedInput("ct.nii", open(folder + "/ct.nii", "rb").read())], {"modality": "CT"}):
    if e["type"] == "file":
        open(folder + "/" + e["name"], "wb").write(e["data"])`, String(slices), dir);
const files = readdirSync(dir).filter((n) => n.endsWith(".dcm")).map((n) => join(dir, n));
const megabytes = files.reduce((sum, f) => sum + statSync(f).size, 0) / 1e6;

async function startOrthanc() {
  const folder = mkdtempSync(join(tmpdir(), "dicomforge-orthanc-"));
  const [http, dicom] = [await freePort(), await freePort()];
  const config = JSON.parse(readFileSync("tests/orthanc/orthanc.json", "utf8")); // (with this run's ports and folders)
  Object.assign(config, { StorageDirectory: join(folder, "db"), IndexDirectory: join(folder, "db"), HttpPort: http, DicomPort: dicom });
  config.ServeFolders.Folders = { "/dicomforge": resolve("dist-orthanc") };
  writeFileSync(join(folder, "o.json"), JSON.stringify(config));
  const process = spawn("Orthanc", [join(folder, "o.json")], { stdio: "ignore" });
  const base = `http://127.0.0.1:${http}`;
  for (let i = 0; i < 100 && !(await fetch(`${base}/system`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  return { process, base, dicom, stop: () => (process.kill(), rmSync(folder, { recursive: true, force: true })) };
}

const timed = (run) => { const t0 = performance.now(); run(); return performance.now() - t0; };
const page_ms = [], storescu_ms = [], ours_ms = [];
const browser = await chromium.launch({ executablePath: config.use.launchOptions.executablePath, args: CHROMIUM_ARGS });
for (let i = 0; i < runs; i++) {
  let server = await startOrthanc();
  const page = await browser.newPage();
  await page.goto(`${server.base}/dicomforge/index.html`);
  await page.waitForSelector('#runtime-status[data-state="ready"]', { timeout: 120_000 });
  await page.click("#dicomweb form.server button[type=submit]");
  await page.setInputFiles("#file-input", files);
  await page.waitForSelector("#convert-form:not([hidden])", { timeout: 300_000 });
  await page.click("#convert-form button[type=submit]"); // (the outputs to send: the same files, transcoded as they are)
  await page.waitForSelector("#download a", { timeout: 600_000 });
  const t0 = performance.now();
  await page.click("#dicomweb button.send");
  await page.waitForFunction(() => /^Sent:/.test(document.querySelector("#progress .progress-text")?.textContent ?? ""), null, { timeout: 600_000 });
  page_ms.push(performance.now() - t0);
  await page.close();
  server.stop();
  server = await startOrthanc();
  storescu_ms.push(timed(() => execFileSync("storescu", ["-aec", "ORTHANC", "127.0.0.1", String(server.dicom), ...files])));
  server.stop();
  server = await startOrthanc();
  ours_ms.push(timed(() => execFileSync(PYTHON, ["-m", "dicomforge", "send", ...files, "--host", "127.0.0.1", "--port",
    String(server.dicom), "--called-aet", "ORTHANC"], { env: { ...process.env, PYTHONPATH: "py" }, stdio: "ignore" })));
  server.stop();
}
await browser.close();
const line = (label, ms) => `  ${label}: median ${median(ms).toFixed(0)} ms = ${(files.length / median(ms) * 1000).toFixed(0)} instances/s, ` +
  `${(megabytes / median(ms) * 1000).toFixed(0)} MB/s (runs ${ms.map((m) => m.toFixed(0)).join(", ")} ms)`;
console.log(`${files.length} instances of 512x512 int16 (${megabytes.toFixed(0)} MB) to a local Orthanc`);
console.log(line("STOW-RS from chromium (batches of 10)", page_ms));
console.log(line("storescu (dcmtk, C-STORE) natively", storescu_ms));
console.log(line("python -m dicomforge send (pynetdicom, C-STORE) natively", ours_ms));
rmSync(dir, { recursive: true, force: true });
