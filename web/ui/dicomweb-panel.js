// The DICOMweb panel: a server (base URL, optional Authorization kept in memory only), STOW-RS of
// the last job's outputs with a line per file, QIDO-RS search of studies and their series, and
// WADO-RS retrieve of a series into the workspace. Everything a server sends is shown as text.
import { createDicomweb } from "../net/dicomweb.js";

const value = (item, tag) => {
  const found = item?.[tag]?.Value?.[0];
  if (found && typeof found === "object") return String(found.Alphabetic ?? "");
  return found == null ? "" : String(found);
};

/**
 * @param {HTMLElement} root  the #dicomweb section
 * @param {{outputs: () => Promise<Array<{name: string, data: Blob}>>, open: (files: Array) => Promise<void>,
 *          progress: {start: Function, update: Function, finish: Function}}} host
 */
export function setupDicomwebPanel(root, host) {
  const serverForm = root.querySelector("form.server");
  const searchForm = root.querySelector("form.search");
  const sendButton = root.querySelector("button.send");
  const retryButton = root.querySelector("button.retry");
  const sent = root.querySelector("ol.sent");
  const state = root.querySelector(".server-state");
  const studies = root.querySelector("tbody.studies");
  let service = null;
  let failed = [];

  const say = (text, ok = true) => {
    state.textContent = text;
    state.dataset.ok = String(ok);
  };

  serverForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(serverForm);
    say("connecting…"); // (an unreachable server takes its retries before it is said so)
    try {
      service = createDicomweb({ url: String(data.get("url") || "/dicom-web"), authorization: String(data.get("authorization") ?? "") });
      const found = await service.searchStudies({ limit: 1 });
      say(`connected (${found.length ? "studies found" : "no study yet"})`);
      searchForm.hidden = false;
    } catch (error) {
      service = null;
      say(`not connected: ${error.message}`, false);
    }
  });

  /** One line per file sent; *files* not reached (a cancel) are what a retry sends, with those refused. */
  function report(files, results) {
    for (const row of results) {
      const li = document.createElement("li");
      li.className = row.ok ? "ok" : "error";
      li.dataset.file = row.file;
      li.textContent = `${row.file}: ${row.message}`;
      sent.append(li);
    }
    failed = files.filter((file, i) => !results[i]?.ok);
    retryButton.hidden = failed.length === 0;
    return results.filter((r) => r.ok).length;
  }

  async function send(files) {
    const signal = host.progress.start("Sending…");
    sent.replaceChildren();
    try {
      const results = await service.store(files, { signal, onProgress: (p) => host.progress.update(p, "file") });
      const stored = report(files, results);
      host.progress.finish(`Sent: ${stored} of ${results.length} stored.`, stored === results.length);
    } catch (error) {
      const stored = report(files, error.results ?? []);
      const cancelled = error.name === "AbortError" || error.name === "Cancelled";
      host.progress.finish(cancelled ? `Cancelled: ${stored} of ${files.length} stored.` : `Failed: ${error.message}`, false);
    }
  }

  sendButton.addEventListener("click", async () => {
    if (!service) return say("connect to a server first", false);
    await send(await host.outputs());
  });
  retryButton.addEventListener("click", () => send(failed));

  searchForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(searchForm);
    const query = Object.fromEntries([...data.entries()].filter(([, v]) => String(v).trim()).map(([k, v]) => [k, String(v).trim()]));
    studies.replaceChildren();
    try {
      for (const study of await service.searchStudies({ ...query, includefield: "StudyDescription" })) {
        const row = studies.insertRow();
        row.className = "study";
        for (const text of [value(study, "00100010"), value(study, "00100020"), value(study, "00080020"),
          value(study, "00080061"), value(study, "00081030")]) row.insertCell().textContent = text;
        const cell = row.insertCell();
        const open = document.createElement("button");
        open.type = "button";
        open.textContent = "Series…";
        open.addEventListener("click", () => showSeries(row, value(study, "0020000D")));
        cell.append(open);
      }
      say(`${studies.rows.length} stud${studies.rows.length === 1 ? "y" : "ies"} found`);
    } catch (error) {
      say(`search failed: ${error.message}`, false);
    }
  });

  async function showSeries(row, study) {
    if (row.nextElementSibling?.classList.contains("series-row")) return row.nextElementSibling.remove(); // (a toggle)
    let found;
    try {
      found = await service.searchSeries(study);
    } catch (error) {
      return say(`search failed: ${error.message}`, false);
    }
    const list = document.createElement("ul");
    list.className = "series";
    for (const series of found) {
      const item = document.createElement("li");
      const uid = value(series, "0020000E");
      item.textContent = `${value(series, "00080060")} ${value(series, "0008103E")} (${value(series, "00201209") || "?"} images) `;
      const get = document.createElement("button");
      get.type = "button";
      get.textContent = "Retrieve";
      get.addEventListener("click", async () => {
        const signal = host.progress.start("Retrieving…");
        try {
          const files = await service.retrieveSeries(study, uid, { signal, onProgress: (p) => host.progress.update(p, p.unit) });
          host.progress.finish(`Retrieved ${files.length} files.`);
          await host.open(files);
        } catch (error) {
          host.progress.finish(`Failed: ${error.message}`, false);
        }
      });
      item.append(get);
      list.append(item);
    }
    const seriesRow = studies.insertRow(row.sectionRowIndex + 1);
    seriesRow.className = "series-row";
    const cell = seriesRow.insertCell();
    cell.colSpan = 6;
    cell.append(list);
  }

  return {
    /** Whether there are outputs to send (the last job's). */
    setOutputs(available) {
      sendButton.disabled = !available;
    },
  };
}
