// Fetching the pinned wheels from our own origin and checking them against the one pinned list.
import lock from "./wheels.lock.json";

/** The runtime wheels, in the order they are installed. */
export const RUNTIME_WHEELS = lock.runtime;

export class RuntimeLoadError extends Error {
  constructor(message, stage) {
    super(message);
    this.name = "RuntimeLoadError";
    this.stage = stage;
  }
}

async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Fetch one pinned wheel and verify its sha256.
 * @param {string} baseUrl  folder holding wheels/
 * @param {{file: string, sha256: string}} pin
 * @returns {Promise<Uint8Array>}
 */
export async function fetchVerifiedWheel(baseUrl, pin) {
  let response;
  try {
    response = await fetch(new URL(`wheels/${pin.file}`, baseUrl));
  } catch (err) {
    throw new RuntimeLoadError(`wheel ${pin.file} could not be fetched (${err.message}): run make dev`, "wheels");
  }
  if (!response.ok) {
    throw new RuntimeLoadError(`wheel ${pin.file} missing: run make dev`, "wheels");
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = await sha256Hex(bytes);
  if (digest !== pin.sha256) {
    throw new RuntimeLoadError(
      `wheel ${pin.file} does not match its pinned sha256 (got ${digest.slice(0, 12)}…): run make dev`,
      "wheels",
    );
  }
  return bytes;
}
