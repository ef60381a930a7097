// Problems with options said beside the form fields they concern (an OptionsError's `fields`).

/** Remove what showFieldErrors said. */
export function clearFieldErrors(form) {
  for (const note of form.querySelectorAll(".field-error")) note.remove();
  for (const label of form.querySelectorAll("label.invalid")) label.classList.remove("invalid");
}

/**
 * Say each problem beside its field; returns the problems no field of *form* matches.
 * @param {HTMLFormElement} form  @param {Object<string, string>} fields  option name -> problem
 */
export function showFieldErrors(form, fields) {
  clearFieldErrors(form);
  const unmatched = {};
  for (const [name, problem] of Object.entries(fields ?? {})) {
    const control = form.elements.namedItem(name);
    const label = control?.closest?.("label");
    if (!label || label.hidden) {
      unmatched[name] = problem;
      continue;
    }
    const note = document.createElement("span");
    note.className = "field-error";
    note.setAttribute("role", "alert");
    note.textContent = problem;
    label.classList.add("invalid");
    label.append(note);
  }
  return unmatched;
}

/**
 * What every job form offers the page: show or hide it, mark it busy while a job runs, and
 * put an option's problem beside its field (returns the problems no field shows).
 * @param {HTMLFormElement} form
 */
export function formControls(form) {
  return {
    show(visible) {
      form.hidden = !visible;
    },
    setBusy(busy) {
      form.querySelector("button[type=submit]").disabled = busy;
    },
    showErrors: (fields) => showFieldErrors(form, fields),
  };
}
