import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { pydicomTestFile, waitReady, watchPage } from "./helpers.js";

test("explore", async ({ page }) => {
  const { consoleErrors } = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  // MetaImage pair
  await page.locator("#file-input").setInputFiles([
    { name: "big.raw", mimeType: "application/octet-stream", buffer: readFileSync("/tmp/mha2/big.raw") },
    { name: "big.mhd", mimeType: "text/plain", buffer: readFileSync("/tmp/mha2/big.mhd") },
  ]);
  await expect(page.locator(".progress-text")).toContainText("inputs recognised");
  console.log("LIST1", await page.locator("#input-list").innerText());
  console.log("PROG1", await page.locator(".progress-text").innerText());
  await page.locator("#series-form button[type=submit]").click();
  await expect(page.locator(".progress-text")).toContainText(/Done|Failed/);
  console.log("PROG2", await page.locator(".progress-text").innerText());
  console.log("LIST2", await page.locator("#input-list").innerText());
  // CT small + preset
  await page.locator("#file-input").setInputFiles([{ name: "CT_small.dcm", mimeType: "application/dicom", buffer: pydicomTestFile("CT_small.dcm") },
     { name: "SC_rgb_rle.dcm", mimeType: "application/dicom", buffer: pydicomTestFile("SC_rgb_rle.dcm") }]);
  const viewer = page.locator("#viewer");
  await expect(viewer).toHaveAttribute("data-painted", /\d+/);
  console.log("C/W", await viewer.getAttribute("data-center"), await viewer.getAttribute("data-width"));
  await viewer.locator('[name="preset"]').selectOption({ index: 2 });
  await page.waitForTimeout(500);
  console.log("after preset C/W", await viewer.getAttribute("data-center"), await viewer.getAttribute("data-width"), await viewer.locator('[name="preset"]').inputValue());
  await viewer.locator('[name="image"]').selectOption({ index: 1 });
  await page.waitForTimeout(800);
  console.log("RGB msg", await viewer.locator(".viewer-message").innerText(), await viewer.locator(".viewer-position").innerText());
  console.log("console", consoleErrors);
});
