// web/worker/blob-reader.js under Node's test runner, with stand-in Workers: reads go to
// the reader's worker and come back; its errors keep their name; where no worker can
// start, or it fails to load, the bytes are read here instead (pending reads included).
// The real worker in chromium: tests/e2e/runtime.spec.js ("read by the reader's worker").
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { BlobReader } from "../../web/worker/blob-reader.js";

const text = async (promise) => new TextDecoder().decode(await promise);

/** A stand-in for `Worker`: *answer(message, worker)* decides what happens to each message. */
function fakeWorker(answer) {
  return class FakeWorker {
    static made = [];
    constructor(url, options) {
      this.url = String(url);
      this.options = options;
      this.terminated = false;
      FakeWorker.made.push(this);
    }
    postMessage(message) {
      setTimeout(() => answer(message, this), 0);
    }
    terminate() {
      this.terminated = true;
    }
  };
}

afterEach(() => {
  delete globalThis.Worker;
});

test("without Worker, blobs are read here", { timeout: 5000 }, async () => {
  const reader = new BlobReader();
  assert.equal(await text(reader.read(new Blob(["no worker"]))), "no worker");
  assert.equal(reader.bytesRead, 0);
});

test("reads go to the reader's worker, which is started once", { timeout: 5000 }, async () => {
  globalThis.Worker = fakeWorker(async ({ id, blob }, worker) => {
    worker.onmessage({ data: { id, buffer: await blob.arrayBuffer() } });
  });
  const reader = new BlobReader();
  reader.start();
  const [a, b] = await Promise.all([text(reader.read(new Blob(["first"]))), text(reader.read(new Blob(["second!"])))]);
  assert.deepEqual([a, b], ["first", "second!"]);
  assert.equal(reader.bytesRead, 12);
  assert.equal(globalThis.Worker.made.length, 1);
  assert.match(globalThis.Worker.made[0].url, /\/web\/worker\/reader\.js$/);
  assert.equal(globalThis.Worker.made[0].options.type, "module");
});

test("a read the worker fails rejects with the error's name and message", { timeout: 5000 }, async () => {
  globalThis.Worker = fakeWorker(({ id }, worker) => {
    worker.onmessage({ data: { id, error: { name: "NotReadableError", message: "the file changed" } } });
  });
  const reader = new BlobReader();
  await assert.rejects(reader.read(new Blob(["x"])), { name: "NotReadableError", message: "the file changed" });
  assert.equal(reader.bytesRead, 0);
});

test("a worker that fails to load: pending and later reads are read here", { timeout: 5000 }, async () => {
  globalThis.Worker = fakeWorker((message, worker) => worker.onerror({ preventDefault() {} }));
  const reader = new BlobReader();
  assert.equal(await text(reader.read(new Blob(["pending"]))), "pending");
  assert.equal(globalThis.Worker.made[0].terminated, true);
  assert.equal(await text(reader.read(new Blob(["later"]))), "later");
  assert.equal(globalThis.Worker.made.length, 1); // not started again
  assert.equal(reader.bytesRead, 0);
});

test("a Worker constructor that throws: blobs are read here", { timeout: 5000 }, async () => {
  globalThis.Worker = class {
    constructor() {
      throw new Error("workers are not allowed here");
    }
  };
  const reader = new BlobReader();
  reader.start();
  assert.equal(await text(reader.read(new Blob(["refused"]))), "refused");
});
