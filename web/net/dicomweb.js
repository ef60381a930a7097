// DICOMweb from the browser (fetch, no server of ours in between): STOW-RS, QIDO-RS, WADO-RS.
// No DOM: the page's panel and the embedding API both use it. The same protocol as the native
// client (py/dicomforge/net/dicomweb.py), written again because here the transport is fetch and
// the files are Blobs that must not be copied into Python to be sent.
//
// - STOW-RS: several instances per request (multipart/related of application/dicom parts, built
//   from the Blobs without copying), progress per instance, cancel (an AbortSignal), retry with
//   back-off on 5xx, timeouts and dropped connections; the server's answer read per instance
//   (Referenced SOP Sequence / Failed SOP Sequence): nothing is reported stored that the server
//   did not confirm, and a retry sends only what was not.
// - QIDO-RS: studies by patient, date, modality; a study's series. WADO-RS: a series as files.
// The Authorization value stays in memory (this object), never in URLs, logs or error messages;
// redirects are not followed (`redirect: "error"`), so a server cannot send the page elsewhere.

const REFERENCED = "00081199";
const FAILED = "00081198";
const SOP_INSTANCE = "00081155";
const FAILURE = "00081197";

/** A DICOMweb error: `message` in words, `status` the HTTP status when there was one. */
export class DicomwebError extends Error {
  constructor(message, status = null) {
    super(message);
    this.name = "DicomwebError";
    this.status = status;
  }
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** The SOP Instance UID of a Part 10 file, from its file meta ((0002,0003), explicit VR little endian). */
export async function sopInstanceUid(blob) {
  const head = new Uint8Array(await blob.slice(0, 4096).arrayBuffer());
  if (String.fromCharCode(...head.subarray(128, 132)) !== "DICM") return "";
  const view = new DataView(head.buffer);
  for (let pos = 132; pos + 8 <= head.length && view.getUint16(pos, true) === 0x0002; ) {
    const element = view.getUint16(pos + 2, true);
    const vr = String.fromCharCode(head[pos + 4], head[pos + 5]);
    const long = ["OB", "OW", "SQ", "UN", "UT", "UC", "UR"].includes(vr);
    if (long && pos + 12 > head.length) return "";
    const length = long ? view.getUint32(pos + 8, true) : view.getUint16(pos + 6, true);
    const start = pos + (long ? 12 : 8);
    if (element === 0x0003) return String.fromCharCode(...head.subarray(start, start + length)).replace(/[\0 ]+$/, "");
    pos = start + length;
  }
  return "";
}

/** The UIDs (-> failure reason, 0 when stored) of one sequence of a STOW-RS answer. */
function uidsOf(answer, key) {
  const found = new Map();
  const items = answer?.[key]?.Value;
  for (const item of Array.isArray(items) ? items : []) {
    const uid = Array.isArray(item?.[SOP_INSTANCE]?.Value) ? item[SOP_INSTANCE].Value[0] : undefined;
    const reason = Array.isArray(item?.[FAILURE]?.Value) ? Number(item[FAILURE].Value[0]) : 0;
    if (typeof uid === "string" && uid) found.set(uid, Number.isFinite(reason) ? reason : 0);
  }
  return found;
}

/** Split a multipart body (bytes) by *boundary*: the content of each part. */
function multipartParts(bytes, boundary) {
  const delimiter = new TextEncoder().encode(`--${boundary}`); // (a part's content may hold it mid-line: lines only)
  const find = (from) => {
    outer: for (let i = from; i <= bytes.length - delimiter.length; i++) {
      if (i > 0 && !(bytes[i - 2] === 13 && bytes[i - 1] === 10)) continue;
      for (let j = 0; j < delimiter.length; j++) if (bytes[i + j] !== delimiter[j]) continue outer;
      return i;
    }
    return -1;
  };
  const parts = [];
  let at = find(0);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) return parts; // "--": the closing delimiter
    const next = find(start);
    if (next < 0) throw new DicomwebError("the server's multipart answer is cut short (no closing delimiter)");
    let body = start;
    while (body + 3 < next && !(bytes[body] === 13 && bytes[body + 1] === 10 && bytes[body + 2] === 13 && bytes[body + 3] === 10)) body++;
    if (body + 3 >= next) throw new DicomwebError("a part of the server's multipart answer has no header end");
    parts.push(bytes.subarray(body + 4, next - 2)); // (the CRLF before the next delimiter)
    at = next;
  }
  throw new DicomwebError("the server's multipart answer holds no part");
}

/**
 * A DICOMweb service.
 * @param {{url: string, authorization?: string, timeoutMs?: number, retries?: number, backoffMs?: number}} settings
 *   url: the service's base (e.g. "/dicom-web" on the page's own origin, or "https://pacs.example/dicom-web"
 *   when the deployment allows that origin in connect-src).
 */
export function createDicomweb({ url, authorization = "", timeoutMs = 30000, retries = 3, backoffMs = 1000 }) {
  const base = new URL(url.replace(/\/+$/, "") + "/", globalThis.location?.href ?? "http://localhost/");
  const endpoint = (path, query) => {
    const target = new URL(path.replace(/^\/+/, ""), base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== "" && v != null) target.searchParams.set(k, String(v));
    return target.href;
  };

  /** One request, retried with back-off on 5xx, timeouts and network errors; *read* takes the
   * answer's body while the timeout and the user's cancel still hold. Resolves `{status, headers, body}`. */
  async function request(method, target, { body, headers = {}, signal, read = (r) => r.text() } = {}) {
    const sent = { ...headers };
    if (authorization) sent.Authorization = authorization;
    let problem = "";
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt) await sleep(backoffMs * 2 ** (attempt - 1), signal);
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), timeoutMs);
      const stop = () => timeout.abort();
      signal?.addEventListener("abort", stop, { once: true });
      try {
        const response = await fetch(target, { method, body, headers: sent, signal: timeout.signal, redirect: "error",
          credentials: "same-origin", cache: "no-store" });
        if (response.status < 500) return { status: response.status, headers: response.headers, body: await read(response) };
        problem = `the server answered ${response.status}`;
      } catch (error) {
        if (signal?.aborted) throw signal.reason ?? new DOMException("Cancelled", "AbortError");
        problem = timeout.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : "the connection failed or was refused";
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", stop);
      }
    }
    throw new DicomwebError(`${problem} (${retries + 1} attempts)`);
  }

  return {
    /**
     * STOW-RS *files* (`{name, data: Blob}`), *batch* per request: one `{file, sopInstanceUid, ok,
     * status, message}` per file, in order; `ok` only when the server's answer lists it as stored.
     */
    async store(files, { batch = 10, onProgress, signal } = {}) {
      const results = [];
      const uids = await Promise.all(files.map((f) => sopInstanceUid(f.data)));
      for (let start = 0; start < files.length; start += batch) {
        const group = files.slice(start, start + batch).map((file, i) => ({ file, uid: uids[start + i] }));
        const boundary = `dicomforge-${crypto.randomUUID()}`;
        const pieces = group.flatMap(({ file }) => [`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, file.data, "\r\n"]);
        const body = new Blob([...pieces, `--${boundary}--\r\n`]);
        const headers = { "Content-Type": `multipart/related; type="application/dicom"; boundary=${boundary}`,
          Accept: "application/dicom+json" };
        let response = null;
        let problem = "";
        try {
          response = await request("POST", endpoint("studies"), { body, headers, signal, read: (r) => r.json().catch(() => ({})) });
        } catch (error) {
          if (signal?.aborted) {
            error.results = results; // (what the batches before the cancel did)
            throw error;
          }
          problem = error.message;
        }
        const answer = response?.body && typeof response.body === "object" ? response.body : {};
        const stored = uidsOf(answer, REFERENCED);
        const failed = uidsOf(answer, FAILED);
        for (const { file, uid } of group) {
          const status = response?.status ?? null;
          const ok = Boolean(uid) && stored.has(uid) && (status === 200 || status === 202);
          const message = ok ? "stored"
            : !response ? `not stored: ${problem}`
            : failed.has(uid) ? `refused by the server (failure reason 0x${failed.get(uid).toString(16).toUpperCase().padStart(4, "0")})`
            : `not confirmed by the server (HTTP ${status})`;
          results.push({ file: file.name, sopInstanceUid: uid, ok, status, message });
          onProgress?.({ done: results.length, total: files.length, file: file.name, ok });
        }
      }
      return results;
    },
    /** QIDO-RS: studies matching *query* (PatientName, PatientID, StudyDate, ModalitiesInStudy...). */
    async searchStudies(query = {}, { signal } = {}) {
      return json(await request("GET", endpoint("studies", query), { headers: { Accept: "application/dicom+json" }, signal }));
    },
    /** QIDO-RS: the series of one study. */
    async searchSeries(study, { signal } = {}) {
      return json(await request("GET", endpoint(`studies/${encodeURIComponent(study)}/series`),
        { headers: { Accept: "application/dicom+json" }, signal }));
    },
    /** WADO-RS: every instance of a series, as `{name, data}` files (named by SOP Instance UID);
     * `onProgress` gets MB received, then files read. */
    async retrieveSeries(study, series, { signal, onProgress } = {}) {
      const response = await request("GET", endpoint(`studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}`),
        { headers: { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' }, signal,
          read: (r) => (r.status === 200 ? received(r, onProgress) : r.text()) });
      if (response.status !== 200) throw new DicomwebError(`the retrieve failed: HTTP ${response.status}`, response.status);
      const boundary = /boundary="?([^";,\s]+)"?/i.exec(response.headers.get("Content-Type") ?? "")?.[1];
      if (!boundary) throw new DicomwebError("the server's answer is not multipart");
      const parts = multipartParts(response.body, boundary);
      const files = [];
      for (const part of parts) {
        const data = new Blob([part], { type: "application/dicom" });
        const uid = await sopInstanceUid(data);
        files.push({ name: `${/^[0-9.]+$/.test(uid) ? uid : `instance_${files.length + 1}`}.dcm`, data });
        onProgress?.({ done: files.length, total: parts.length, unit: "file" });
      }
      return files;
    },
  };
}

/** The body of *response* as bytes, `onProgress({done, total})` (MB) as it arrives. */
async function received(response, onProgress) {
  const total = Number(response.headers.get("Content-Length")) || 0;
  const chunks = [];
  let done = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { value, done: finished } = await reader.read();
    if (finished) break;
    chunks.push(value);
    done += value.length;
    onProgress?.({ done: Math.round(done / 1e5) / 10, total: total ? Math.round(total / 1e5) / 10 : 0, unit: "MB" });
  }
  const bytes = new Uint8Array(done);
  let at = 0;
  for (const chunk of chunks) (bytes.set(chunk, at), (at += chunk.length));
  return bytes;
}

function json(response) {
  if (response.status === 204) return [];
  if (response.status !== 200) throw new DicomwebError(`the search failed: HTTP ${response.status}`, response.status);
  const text = response.body;
  if (!text.trim()) return [];
  let found;
  try {
    found = JSON.parse(text);
  } catch {
    throw new DicomwebError("the server's search answer is not JSON");
  }
  if (!Array.isArray(found)) throw new DicomwebError("the server's search answer is not a list");
  return found.filter((item) => item && typeof item === "object");
}
