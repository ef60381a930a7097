"""The package's shape: no import cycle between its modules, and no product module past ~400 lines.

Imports are read from the source (every ``import`` and ``from ... import`` anywhere in a
module, function-local ones included), so a cycle hidden inside a function is found too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "py" / "dicomforge"
MAX_LINES = 400

if not PACKAGE.is_dir():  # pragma: no cover - the sources are always beside the tests here
    pytest.skip("the package sources are not beside the tests", allow_module_level=True)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    """The package's modules that module *name* imports (a submodule when named, else its package)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            subs = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
            out.update(subs if len(subs) == len(node.names) else [base, *subs])
    return {m for m in out if m in modules and m != name}


def _cycles(graph: dict[str, set]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


class TestLayout:
    def test_no_import_cycle(self):
        """No two modules import each other, however indirectly."""
        modules = _modules()
        graph = {name: _imports(name, path, modules) for name, path in modules.items()}
        assert _cycles(graph) == []

    def test_cycle_finder_finds_one(self):
        """The cycle finder itself: a -> b -> c -> a is one cycle, d alone is none."""
        assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]

    def test_modules_are_small(self):
        """Every module of the package has at most MAX_LINES lines."""
        sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
        assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
