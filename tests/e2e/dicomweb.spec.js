// DICOMweb from the page, against a real Orthanc that serves the built app itself (ServeFolders,
// dist-orthanc built with base /dicomforge/) next to its DICOMweb plugin: same origin, no CORS.
// Convert a volume, send it by STOW-RS, find it by QIDO-RS, retrieve it by WADO-RS into a fresh
// page and preview it; then a 503, a dropped connection and one refused instance: the batch
// finishes, the report names exactly what did not arrive, a retry sends only that, nothing twice.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, test } from "@playwright/test";
import { crossOrigin, waitReady, watchPage } from "./helpers.js";

const APP = resolve("dist-orthanc");
let orthanc;
let base;

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

test.beforeAll(async () => {
  expect(existsSync(join(APP, "index.html")), "make build writes dist-orthanc").toBe(true);
  const folder = mkdtempSync(join(tmpdir(), "dicomforge-orthanc-"));
  const [http, dicom] = [await freePort(), await freePort()];
  // the repository's configuration (tests/orthanc/orthanc.json), with this run's ports and folders
  const config = JSON.parse(readFileSync("tests/orthanc/orthanc.json", "utf8"));
  Object.assign(config, { StorageDirectory: join(folder, "db"), IndexDirectory: join(folder, "db"), HttpPort: http, DicomPort: dicom });
  config.ServeFolders.Folders = { "/dicomforge": APP };
  writeFileSync(join(folder, "orthanc.json"), JSON.stringify(config));
  orthanc = spawn("Orthanc", [join(folder, "orthanc.json")], { stdio: "ignore" });
  base = `http://127.0.0.1:${http}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/system`)).ok) return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("Orthanc did not start");
});

test.afterAll(() => orthanc?.kill());

const status = (page) => page.locator("#progress .progress-text");
const panel = (page) => page.locator("#dicomweb");

async function openApp(page) {
  await page.goto(`${base}/dicomforge/index.html`);
  await waitReady(page);
  await panel(page).getByRole("button", { name: "Connect" }).click();
  await expect(panel(page).locator(".server-state")).toContainText("connected");
}

async function convertSample(page) {
  await page.locator("#sample-button").click();
  await expect(status(page)).toHaveText("1 of 1 inputs recognised.");
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(status(page)).toHaveText(/^Done: \d+ files\.$/);
  return Number((await status(page).textContent()).match(/\d+/)[0]);
}

test("convert, STOW-RS to Orthanc, QIDO-RS search, WADO-RS into a fresh page, preview", async ({ page, context }) => {
  const { consoleErrors, requests } = watchPage(page);
  await openApp(page);
  const count = await convertSample(page);
  await panel(page).getByRole("button", { name: "Send the last results (STOW-RS)" }).click();
  await expect(status(page)).toHaveText(`Sent: ${count} of ${count} stored.`);
  await expect(panel(page).locator("ol.sent li.ok")).toHaveCount(count);
  const stored = await (await fetch(`${base}/instances`)).json();
  expect(stored).toHaveLength(count);

  const fresh = await context.newPage();
  await openApp(fresh);
  await panel(fresh).getByRole("button", { name: "Search" }).click();
  await expect(panel(fresh).locator("tr.study")).toHaveCount(1);
  await panel(fresh).getByRole("button", { name: "Series…" }).click();
  await panel(fresh).getByRole("button", { name: "Retrieve" }).click();
  await expect(status(fresh)).toHaveText(`${count} of ${count} inputs recognised.`);
  await expect(fresh.locator("#viewer")).toHaveAttribute("data-painted", /\d+/);
  expect(crossOrigin(requests, base)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test("a 503, a dropped connection and one refused instance: reported exactly, retried alone, nothing twice", async ({ page }) => {
  await openApp(page);
  const before = (await (await fetch(`${base}/instances`)).json()).length;
  const count = await convertSample(page);
  let posts = 0;
  let refused = "";
  const parts = [];
  await page.route("**/dicom-web/studies", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    posts += 1;
    parts.push((route.request().postDataBuffer()?.toString("latin1").match(/Content-Type: application\/dicom\r\n/g) ?? []).length);
    if (posts === 1) return route.fulfill({ status: 503, body: "" });
    if (posts === 2) return route.abort("connectionreset");
    const response = await route.fetch();
    const answer = await response.json();
    if (posts === 3) { // the server refuses one instance of this batch (it was not stored: delete it)
      const item = answer["00081199"].Value.pop();
      refused = item["00081155"].Value[0];
      await fetch(`${base}/instances/${(await (await fetch(`${base}/tools/lookup`, { method: "POST", body: refused })).json())[0].ID}`,
        { method: "DELETE" });
      answer["00081198"] = { vr: "SQ", Value: [{ "00081155": { vr: "UI", Value: [refused] }, "00081197": { vr: "US", Value: [0xc122] } }] };
      return route.fulfill({ response, status: 202, json: answer });
    }
    return route.fulfill({ response, json: answer });
  });
  await panel(page).getByRole("button", { name: "Send the last results (STOW-RS)" }).click();
  await expect(status(page)).toHaveText(`Sent: ${count - 1} of ${count} stored.`);
  await expect(panel(page).locator("ol.sent li.error")).toHaveCount(1);
  await expect(panel(page).locator("ol.sent li.error")).toContainText("refused by the server (failure reason 0xC122)");
  await panel(page).getByRole("button", { name: "Retry what was not stored" }).click();
  await expect(status(page)).toHaveText("Sent: 1 of 1 stored.");
  expect(parts.at(-1)).toBe(1); // only the refused instance went again
  const after = await (await fetch(`${base}/instances`)).json();
  expect(after.length - before).toBe(count); // each instance once
});
