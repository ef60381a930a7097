// package.json's exports: an editor that installs dicomforge imports the embedding API by the
// package's name (the same module the page's editor example and dist-embed/dicomforge.js use).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

test("the package's main export is the embedding API", async () => {
  const api = await import("dicomforge");
  assert.equal(typeof api.createDicomforge, "function");
  assert.equal(typeof api.zipEntryBlob, "function");
  assert.equal(new api.DicomForgeError({ message: "m", file: "f" }).name, "DicomForgeError");
  assert.equal(await import("dicomforge/web/api.js"), api);
});

test("the embedding build is exported where make build-embed writes it", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  assert.equal(pkg.exports["./embed"], "./dist-embed/dicomforge.js");
  const config = readFileSync(new URL("../../vite.embed.config.js", import.meta.url), "utf8");
  assert.match(config, /"dist-embed"/);
  assert.match(config, /entryFileNames: "\[name\]\.js"/);
  assert.match(config, /input: \{ dicomforge:/);
});
