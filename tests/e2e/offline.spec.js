// Offline: after one visit the service worker has everything; with the network cut the app
// reloads, starts Python and converts a volume.
import { expect, test } from "@playwright/test";
import { waitReady, watchPage } from "./helpers.js";

test("visit, go offline, reload, convert the sample volume", async ({ page, context }) => {
  const { consoleErrors } = watchPage(page);
  await page.goto("/");
  await waitReady(page);
  await expect(page.locator("body")).toHaveAttribute("data-offline", "ready", { timeout: 60_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  await context.setOffline(true);
  await page.reload();
  await waitReady(page);
  await page.getByRole("button", { name: "Try a sample" }).click();
  await page.locator("#series-form").getByRole("button", { name: "Convert" }).click();
  await expect(page.locator("#progress .progress-text")).toHaveText("Done: 48 files.");
  await expect(page.locator("#download a")).toContainText("Download sample_phantom.zip");
  await context.setOffline(false);
  expect(consoleErrors).toEqual([]);
});
