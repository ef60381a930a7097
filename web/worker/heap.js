// Writing the wasm heap once, ahead of the first job.
//
// The first write to a page of fresh memory costs a page fault, several times the cost of
// writing it again, and describing 500 DICOM files and a gzip label map grows the heap to
// ~180 MB. So after the warm-up the heap is grown to FIRST_JOB_HEAP and written once, in the
// time the user takes to choose files, so that the first job's allocations land on written
// pages (later jobs reuse the first one's). The cost: the page holds these pages from the
// start rather than from its first job. Figures: docs/measurements.md.

/** Bytes of heap written after start-up unless the host says otherwise (InitOptions.firstJobHeap). */
export const FIRST_JOB_HEAP = 192 << 20;
const HEAP_STEP = 16 << 20;

/** A macrotask turn without setTimeout's clamping, so queued messages are handled. */
export function yieldToEventLoop() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

export class HeapWriter {
  #held = []; // PyProxies of written bytes, freed together when the write ends
  #writing = false;

  /**
   * @param {() => number} heapBytes  the wasm heap's size now
   * @param {(nbytes: number) => {destroy: Function}} writtenBytes  Python bytes of that size, written
   */
  constructor(heapBytes, writtenBytes) {
    this.heapBytes = heapBytes;
    this.writtenBytes = writtenBytes;
  }

  /**
   * Grow the heap to about *size* bytes, HEAP_STEP at a time with a turn of the event loop
   * between steps, while *idle()* says no job is running. Never throws: without the memory
   * to spare, the first job writes its pages itself.
   */
  async write(size, idle) {
    this.#writing = true;
    try {
      while (this.#writing && idle() && this.heapBytes() < size) {
        this.#held.push(this.writtenBytes(HEAP_STEP));
        await yieldToEventLoop();
      }
    } catch {
      // (no memory to spare)
    } finally {
      this.stop();
    }
  }

  /** End the write now (a job starts): its bytes are freed, the pages it wrote stay written. */
  stop() {
    this.#writing = false;
    for (const bytes of this.#held.splice(0)) bytes.destroy();
  }
}
