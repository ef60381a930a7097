// web/worker/input-store.js under Node's test runner: which kept inputs serve a job, which go
// when a job needs room (least recently used first, never one the job uses), and what stays
// beside a job for other jobs. Inputs are stand-ins that record their release.
import assert from "node:assert/strict";
import { test } from "node:test";
import { InputStore, KEEP_OTHERS_BYTES, serves } from "../../web/worker/input-store.js";

const MB = 1 << 20;

/** A stand-in for a kept PyProxy: `destroy()` records its name in *released*. */
function input(name, released) {
  return { name, destroy: () => released.push(name) };
}

/** A store with inputs a, b, c (in that order of use) of *sizes* MB, none of them heads. */
function storeWith(budget, sizes, released, othersLimit = KEEP_OTHERS_BYTES) {
  const store = new InputStore(budget, othersLimit);
  for (const [key, size] of Object.entries(sizes)) assert.equal(store.keep(key, input(key, released), size * MB, false), false);
  return store;
}

test("a kept head serves jobs that read headers only", () => {
  assert.equal(serves({ partial: true }, true), true);
  assert.equal(serves({ partial: true }, false), false);
  assert.equal(serves({ partial: false }, false), true);
});

test("take: a kept input is reused and becomes the most recently used", () => {
  const released = [];
  const store = storeWith(100 * MB, { a: 10, b: 10, c: 10 }, released);
  assert.equal(store.take("a", false).name, "a");
  store.makeRoom(new Set(), 85 * MB); // room for 85: the 15 MB least recently used go (b, then c; a was used last)
  assert.deepEqual(released, ["b", "c"]);
  assert.equal(store.size, 1);
});

test("take: a kept head does not serve a job reading whole files, and is released", () => {
  const released = [];
  const store = new InputStore(100 * MB);
  store.keep("big", input("big", released), MB, true);
  assert.equal(store.take("big", false), null);
  assert.deepEqual(released, ["big"]);
  assert.equal(store.size, 0);
});

test("makeRoom never releases an input the job uses", () => {
  const released = [];
  const store = storeWith(30 * MB, { a: 10, b: 10, c: 10 }, released);
  store.makeRoom(store.usedKeys(["a", "b"], false), 20 * MB);
  assert.deepEqual(released, ["c"]); // a and b stay, though 10 + 10 + 20 > 30
});

test("other jobs' inputs stay beside a job up to the limit, least recently used out first", () => {
  const released = [];
  const store = storeWith(1000 * MB, { a: 10, b: 10, c: 10 }, released, 15 * MB);
  const used = store.usedKeys(["x"], false);
  assert.equal(store.keptForOthers(["x"], false), 15 * MB); // min(30, limit)
  store.makeRoom(used, 0);
  assert.deepEqual(released, ["a", "b"]);
  assert.equal(store.othersBytes(used), 10 * MB);
});

test("keep: the same key twice in one job is owned by the caller, not kept again", () => {
  const released = [];
  const store = new InputStore(100 * MB);
  assert.equal(store.keep("a", input("a", released), MB, false), false);
  assert.equal(store.keep("a", input("a2", released), MB, false), true);
  assert.equal(store.keep(undefined, input("b", released), MB, false), true);
  assert.equal(store.size, 1);
  assert.equal(store.bytes, MB);
});

test("a job's memory budget leaves room for what stays kept for other jobs", () => {
  const released = [];
  const store = storeWith(1000 * MB, { a: 100, b: 200 }, released, 256 * MB);
  assert.equal(store.keptForOthers(["a"], false), 200 * MB);
  assert.equal(store.keptForOthers(["a", "b"], false), 0);
});
