// The inspector: the element tree of one dropped DICOM file (the inspect job), searchable by
// keyword, tag or value, each element's path copyable; its DICOM JSON as a download.
// Everything from the file is shown as text (textContent), never as HTML.

/**
 * @param {HTMLElement} element  holds a <select>, an <input type=search>, a .json button and a .tree
 * @param {{inspect: (name: string) => Promise<object[]>, json: (name: string) => Promise<void>}} actions
 */
export function setupInspector(element, { inspect, json }) {
  const choose = element.querySelector("select");
  const search = element.querySelector("input[type=search]");
  const tree = element.querySelector(".tree");
  const status = element.querySelector(".inspector-status");
  const jsonButton = element.querySelector("button.json");
  let shown = null;

  async function show(name) {
    shown = name;
    tree.replaceChildren();
    status.textContent = `Reading ${name}…`;
    try {
      const nodes = await inspect(name);
      if (shown !== name) return;
      tree.append(renderNodes(nodes));
      status.textContent = `${countNodes(nodes)} elements`;
      filter(search.value);
    } catch (error) {
      status.textContent = `Cannot inspect ${name}: ${error.message}`;
    }
  }

  function filter(query) {
    const wanted = query.trim().toLowerCase();
    // from the leaves up: a row shows when it matches or something inside it shows
    for (const row of [...tree.querySelectorAll(".element")].reverse()) {
      const hit = Boolean(wanted) && row.dataset.search.includes(wanted);
      row.classList.toggle("match", hit);
      const inside = [...row.querySelectorAll(".element")].some((child) => !child.hidden);
      row.hidden = Boolean(wanted) && !hit && !inside;
      if (wanted && inside) row.querySelector("details")?.setAttribute("open", "");
    }
  }

  choose.addEventListener("change", () => show(choose.value));
  search.addEventListener("input", () => filter(search.value));
  jsonButton.addEventListener("click", () => shown && json(shown));
  tree.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy-path");
    if (button) navigator.clipboard?.writeText(button.dataset.path).catch(() => {});
  });

  return {
    /** The DICOM inputs the user can inspect (names); the first is shown. */
    setFiles(names) {
      element.hidden = names.length === 0;
      choose.replaceChildren(...names.map((name) => Object.assign(document.createElement("option"), { value: name, textContent: name })));
      tree.replaceChildren();
      status.textContent = "";
      shown = null;
      if (names.length) show(names[0]);
    },
  };
}

function countNodes(nodes) {
  return nodes.reduce((n, node) => n + 1 + (node.items ?? []).reduce((m, item) => m + countNodes(item), 0), 0);
}

function cell(className, text) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text ?? "";
  return span;
}

/** One element as a row (a sequence: a <details> holding its items). */
function renderNode(node) {
  const row = document.createElement("div");
  row.className = "element";
  row.dataset.search = [node.tag, node.keyword, node.name, node.value, node.privateCreator].filter(Boolean).join(" ").toLowerCase();
  const copy = Object.assign(document.createElement("button"), { type: "button", className: "copy-path", textContent: "⧉", title: `copy ${node.path}` });
  copy.dataset.path = node.path;
  const line = [
    cell("tag", node.tag), cell("vr", node.vr), cell("length", node.length == null ? "undef" : String(node.length)),
    cell("keyword", node.keyword || (node.privateCreator ? `[${node.privateCreator}]` : node.name || "")),
    cell("value", node.hex ?? node.value ?? ""), copy,
  ];
  if (!node.items) {
    row.append(...line);
    return row;
  }
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.append(...line, cell("items", `${node.items.length} item(s)`));
  details.append(summary);
  node.items.forEach((item, i) => {
    const block = document.createElement("div");
    block.className = "item";
    block.append(cell("item-title", `item ${i}`), renderNodes(item));
    details.append(block);
  });
  row.append(details);
  return row;
}

function renderNodes(nodes) {
  const fragment = document.createDocumentFragment();
  for (const node of nodes) fragment.append(renderNode(node));
  return fragment;
}
