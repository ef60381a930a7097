// Benchmark page: runs dicomforge.bench's workloads in the worker and shows the figures.
import { startWorker } from "../worker/client.js";
import { showFailed, showReady, showVersions } from "../ui/status.js";

const status = document.querySelector("#runtime-status");
const table = document.querySelector("#bench-table");
const json = document.querySelector("#bench-json");
const dicomforge = startWorker();
const ready = dicomforge.ready.then(
  (info) => {
    showReady(status, info);
    showVersions(document.querySelector("#versions"), info);
    return info;
  },
  (error) => showFailed(status, error),
);

function showFigures(results) {
  const rows = [];
  for (const { file: name, value } of results) {
    for (const [figure, t] of Object.entries(value.workloads[name])) {
      const tr = document.createElement("tr");
      for (const cell of [name, figure, t.median, t.p95, t.min, t.max]) {
        const td = document.createElement("td");
        td.textContent = typeof cell === "number" ? cell.toFixed(2) : cell;
        tr.append(td);
      }
      rows.push(tr);
    }
  }
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = false;
}

document.querySelector("#bench-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const runs = Number(new FormData(event.target).get("runs"));
  const info = await ready;
  const result = await dicomforge.run("bench", [], { runs });
  showFigures(result.results);
  json.textContent = JSON.stringify({ environment: { ...info, userAgent: navigator.userAgent, cpus: navigator.hardwareConcurrency }, results: result.results }, null, 2);
  json.hidden = false;
  document.body.dataset.benchDone = "true";
});
