// Driving one Python job: its events (dicomforge/jobs/events.py) become a JobResult, with
// progress posted to the page, inputs fed to the job as they are read, and cancellation
// and other messages let in between steps. Knows nothing of the DOM or of how inputs are read.
import { yieldToEventLoop } from "./heap.js";

const YIELD_EVERY_MS = 25; // let cancel messages in at least this often during a job
const READING_YIELD_MS = 4; // and this often while the job's inputs are still being read
const PROGRESS_STEPS = 100; // progress messages per input at most: one per 1% (every step when fewer)
const PROGRESS_MS = 50; // and at most one per this many milliseconds

/** A fresh JobResult, filled by `collect`. */
export const emptyResult = () => ({ ok: true, results: [], files: [], errors: [], warnings: [], timings: {} });

/**
 * Run Python *events* (a generator PyProxy) to the end into *out*.
 * @param {object} events  the job's events
 * @param {{out: object, onProgress?: Function, cancelled: () => boolean, feed: () => boolean,
 *   prepare?: () => Promise<void> | null, beforeStep?: () => void, readingDone: () => boolean,
 *   waitForInputs: () => Promise<void>}} loop
 *   feed: hand the job what was read meanwhile (true if anything); prepare: what the fed inputs
 *   need before the job goes on (their codecs), null when nothing; beforeStep: called before
 *   each step of Python (jobs of one worker interleave between steps); readingDone: every input is
 *   read; waitForInputs: resolves when more inputs are read, rejects when none will come.
 * @returns {Promise<number>} milliseconds of Python producing events
 */
export async function driveEvents(events, { out, onProgress, cancelled, feed, prepare, beforeStep, readingDone, waitForInputs }) {
  // the reports sent are counted into the result: the page waits for them all before it resolves
  // the job (they travel as messages of their own, and may arrive after the result)
  out.progressReports = 0;
  const progress = throttled(onProgress && ((p) => ((out.progressReports += 1), onProgress(p))));
  let python = 0;
  let lastYield = performance.now();
  let asked = performance.now();
  const steps = events[Symbol.iterator]();
  const next = () => {
    beforeStep?.();
    return steps.next();
  };
  for (let step = next(); !step.done; step = next()) {
    const pyEvent = step.value;
    python += performance.now() - asked;
    const type = pyEvent.get("type");
    if (type === "wait") {
      pyEvent.destroy();
      while (!feed() && !cancelled()) await waitForInputs();
      const preparing = prepare?.();
      if (preparing) await preparing;
      lastYield = performance.now();
    } else {
      const event = type === "zip" ? zipPart(pyEvent) : pyEvent.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
      pyEvent.destroy?.();
      collect(out, event, progress);
      feed(); // what was read meanwhile, for the job's next step
      const preparing = prepare?.();
      if (preparing) await preparing;
      // while inputs are read, yield often: reads progress only when this thread is free
      if (performance.now() - lastYield > (readingDone() ? YIELD_EVERY_MS : READING_YIELD_MS)) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    if (cancelled()) {
      out.ok = false;
      out.error = { name: "Cancelled", message: "cancelled by the user" };
      steps.return?.(); // (the generator closes, as a for-of loop's break would)
      break;
    }
    asked = performance.now();
  }
  return python;
}

/** One event into the JobResult. */
export function collect(out, event, onProgress) {
  switch (event.type) {
    case "progress":
      onProgress?.({ done: event.done, total: event.total, file: event.file });
      break;
    case "result":
      out.results.push({ file: event.file, value: event.value });
      break;
    case "file":
      out.files.push({ name: event.name, data: event.data });
      break;
    case "zip":
      out.zip.parts.push(event.blob);
      out.zip.entries.push(...event.entries);
      break;
    case "error":
      out.errors.push({ name: event.name, kind: event.kind, message: event.message, file: event.file });
      break;
    case "failed":
      out.ok = false;
      out.error = { name: event.name, kind: event.kind, message: event.message, file: event.file };
      if (event.fields) out.error.fields = event.fields;
      break;
    case "warning":
      out.warnings.push({ file: event.file || null, message: event.message });
      break;
  }
}

/**
 * A `zip` event with its chunks copied once, straight from wasm memory into a Blob (blob
 * storage, off the JS heap); no JS copy of them is made.
 */
function zipPart(pyEvent) {
  const chunks = pyEvent.get("chunks");
  const entries = pyEvent.get("entries");
  const pieces = [];
  const views = [];
  try {
    for (const chunk of chunks) {
      pieces.push(chunk);
      views.push(chunk.getBuffer("u8"));
    }
    const blob = new Blob(views.map((view) => view.data)); // no Python runs meanwhile: the views stay valid
    return { type: "zip", blob, entries: entries.toJs({ dict_converter: Object.fromEntries }) };
  } finally {
    for (const view of views) view.release();
    for (const piece of pieces) piece.destroy();
    chunks.destroy();
    entries.destroy();
  }
}

/**
 * *onProgress* called at most once per 1/PROGRESS_STEPS of the total (every step of a job
 * with fewer) and, for longer jobs, once per PROGRESS_MS; always for the last step and when
 * the total changes (the next series of a job). Each call is a message to the page.
 */
export function throttled(onProgress) {
  if (!onProgress) return undefined;
  let lastStep = -1;
  let lastTotal = -1;
  let lastTime = -Infinity;
  return (p) => {
    const step = Math.floor((p.done * PROGRESS_STEPS) / Math.max(p.total, 1));
    const now = performance.now();
    const soon = p.total > PROGRESS_STEPS && now - lastTime < PROGRESS_MS; // (a short job reports every step)
    const same = p.total === lastTotal && (step === lastStep || soon);
    if (p.done < p.total && same) return;
    [lastStep, lastTotal, lastTime] = [step, p.total, now];
    onProgress(p);
  };
}

/** A job's results and errors in the order of its inputs (jobs may report them as they finish). */
export function inInputOrder(out, inputs) {
  const order = new Map();
  inputs.forEach(({ name }, i) => order.has(name) || order.set(name, i));
  const rank = ({ file }) => order.get(file) ?? inputs.length;
  const byRank = (a, b) => rank(a) - rank(b); // (sort is stable: same-rank entries keep their order)
  out.results.sort(byRank);
  out.errors.sort(byRank);
}

/**
 * A copy of an options object without null members (JS null would reach Python as JsNull;
 * an absent key reads as the default). Typed arrays and ArrayBuffers are kept as they are.
 */
export function withoutNulls(value) {
  if (value === null || typeof value !== "object" || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return value;
  }
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/**
 * A Python exception escaping a job is a bug, not bad input: report it as internal, in words
 * (Python's own message goes to the console, with its traceback, for the bug report).
 */
export function pythonError(err) {
  const text = String(err?.message ?? err).trim();
  console.error(`dicomforge internal error: ${text}`);
  return {
    name: "InternalError",
    message: "dicomforge stopped on an internal error (a bug, not a problem with your files); " +
      "the details are in the browser's console",
  };
}
