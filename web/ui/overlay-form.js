// The overlay options form: label values, overlay type, UIDs, and which existing overlay
// planes (listed from the dropped files) to remove or replace.
import { collectOverlays, groupName, overlayText } from "./existing-overlays.js";
import { clearFieldErrors, formControls } from "./field-errors.js";

/**
 * @param {HTMLFormElement} form
 * @param {(options: object) => void} onSubmit
 */
export function setupOverlayForm(form, onSubmit) {
  const existing = form.querySelector(".existing-overlays");
  const submit = form.querySelector("button[type=submit]");
  const labelFields = [...form.querySelectorAll(".needs-label-map")];
  let labelMap = null; // the name of the input that is the label map, if any

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const options = { type: String(data.get("type")), keepUids: data.has("keepUids"), replace: data.has("replace") };
    // (as typed: the job says which one is not a number)
    const labels = String(data.get("labels") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    if (labelMap !== null && labels.length) options.labels = labels;
    if (labelMap !== null) options.labelMap = labelMap;
    const remove = data.getAll("removeGroups").map(String);
    if (remove.length) options.removeGroups = remove;
    clearFieldErrors(form);
    onSubmit(options);
  });

  /** One checkbox per existing overlay group: "Remove 6000 · 484×300 · G …". */
  function listExisting(values) {
    const planes = collectOverlays(values);
    existing.replaceChildren();
    existing.hidden = planes.length === 0;
    if (!planes.length) return;
    const legend = document.createElement("legend");
    legend.textContent = "Overlays already in the files (a new plane takes a group freed here)";
    existing.append(legend);
    const groups = new Map();
    for (const plane of planes) groups.set(plane.group, [...(groups.get(plane.group) ?? []), plane]);
    for (const [group, same] of groups) {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "removeGroups";
      box.value = groupName(group);
      label.append(box, ` Remove ${same.map((p) => overlayText(p, values.length)).join("; ")}`);
      existing.append(label);
    }
  }

  return {
    ...formControls(form),
    /**
     * What the dropped inputs offer: a label map (new planes) and/or existing overlays.
     * @param {{labelMap: string|null, dicom: Array<{overlays?: object[]}>}} sources  the name of the
     *   input that is the label map (null: none), and the describe values of the DICOM files
     */
    setSources(sources) {
      labelMap = sources.labelMap;
      listExisting(sources.dicom);
      for (const field of labelFields) field.hidden = labelMap === null;
      submit.textContent = labelMap !== null ? "Add overlays" : "Remove overlays";
    },
  };
}
