// Memory of the page and of its workers (the Pyodide worker's wasm memory is a buffer of
// its heap), sampled over CDP: the page session auto-attaches to workers (non-flattened
// target messages) and asks each for Runtime.getHeapUsage. Shared by the benchmarks.

/**
 * @param {import("@playwright/test").CDPSession} cdp  a CDP session of the page
 * @returns {Promise<() => Promise<{page: number, worker: number, workerHeap: number}>>}
 *   a function giving bytes now: page (heap + buffers), workers (heap + buffers), and the
 *   workers' V8 heap alone (without buffers)
 */
export async function memoryProbe(cdp) {
  const workerSessions = new Map(); // sessionId -> type
  const replies = new Map();
  let nextId = 1;
  cdp.on("Target.attachedToTarget", (e) => workerSessions.set(e.sessionId, e.targetInfo.type));
  cdp.on("Target.detachedFromTarget", (e) => workerSessions.delete(e.sessionId));
  cdp.on("Target.receivedMessageFromTarget", (e) => {
    const message = JSON.parse(e.message);
    replies.get(message.id)?.(message.result);
    replies.delete(message.id);
  });
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const heapOf = async (sessionId) => {
    const id = nextId++;
    const reply = new Promise((resolve) => replies.set(id, resolve));
    await cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method: "Runtime.getHeapUsage" }) });
    return Promise.race([reply, new Promise((r) => setTimeout(r, 2000))]); // a busy worker may not answer
  };
  const bytesOf = (usage) => (usage ? usage.usedSize + (usage.backingStorageSize ?? 0) : 0);
  return async function memoryNow() {
    const pageUsage = await cdp.send("Runtime.getHeapUsage");
    let worker = 0;
    let workerHeap = 0;
    for (const [sessionId, type] of workerSessions) {
      if (type !== "worker") continue;
      const usage = await heapOf(sessionId);
      worker += bytesOf(usage);
      workerHeap += usage?.usedSize ?? 0;
    }
    return { page: bytesOf(pageUsage), worker, workerHeap };
  };
}

/**
 * Sample *memoryNow* every *everyMs* until the returned `stop()` (or until *keepGoing*
 * says no, e.g. after a crash). `stop()` resolves with the largest sample (`peak`, by page +
 * worker) and the largest page and worker-heap figures seen in any sample (`most`).
 * @param {() => Promise<{page: number, worker: number, workerHeap: number}>} memoryNow
 */
export function sampleMemory(memoryNow, everyMs, keepGoing = () => true) {
  let peak = { total: 0, page: 0, worker: 0 };
  let most = { page: 0, workerHeap: 0 };
  let sampling = true;
  const loop = (async () => {
    while (sampling && keepGoing()) {
      try {
        const m = await memoryNow();
        if (m.page + m.worker > peak.total) peak = { total: m.page + m.worker, ...m };
        most = { page: Math.max(most.page, m.page), workerHeap: Math.max(most.workerHeap, m.workerHeap) };
      } catch {}
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
      return { peak, most };
    },
  };
}
