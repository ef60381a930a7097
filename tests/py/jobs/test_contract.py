"""web/worker/contract.js and Python name the same jobs, options and events (one contract, two languages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dicomforge import jobs
from dicomforge.bench.jobs import BENCH
from dicomforge.jobs import events

CONTRACT = Path(__file__).resolve().parents[3] / "web" / "worker" / "contract.js"

if not CONTRACT.is_file():  # pragma: no cover - the page's sources are beside the tests here
    pytest.skip("web/worker/contract.js is not beside the tests", allow_module_level=True)

TEXT = CONTRACT.read_text(encoding="utf-8")


def _typedefs() -> dict[str, set[str] | str]:
    """Typedef name -> its property names, or the name of the typedef it aliases."""
    found = {}
    for block in re.findall(r"/\*\*(.*?)\*/", TEXT, re.S):
        head = re.search(r"@typedef \{([^}]*)\} (\w+)", block)
        if not head:
            continue
        kind, name = head.groups()
        props = set(re.findall(r"@property \{[^}]*\} \[?(\w+)\]?", block))
        found[name] = props if kind == "object" else kind
    return found


def _options(typedef: str) -> set[str]:
    found = _typedefs()[typedef]
    return _options(found) if isinstance(found, str) else found


def _frozen(name: str) -> list[str]:
    return re.findall(r'"(\w+)"', re.search(rf"export const {name} = Object\.freeze\(\[(.*?)\]\)", TEXT, re.S).group(1))


def _typedef_name(job: str) -> str:
    return "".join(part.title() for part in job.split("_")) + "Options"


@pytest.mark.parametrize("registry", [jobs.JOBS, BENCH], ids=["product", "bench"])
def test_job_options(registry):
    """Every job's options in contract.js are exactly its schema's JavaScript names."""
    for name, job in registry.jobs.items():
        assert _options(_typedef_name(name)) == set(job.schema.names("js")), name


def test_job_names():
    """contract.js lists the product's jobs and the benchmark's, in the registries' order."""
    assert _frozen("JOB_NAMES") == list(jobs.JOBS.jobs)
    assert _frozen("BENCH_JOB_NAMES") == list(BENCH.jobs)


def test_js_kernels_module_name():
    """The worker registers its JavaScript kernels under the name the js backend imports."""
    from dicomforge.kernels.js_backend import JS_MODULE

    assert re.search(r'export const JS_KERNELS_MODULE = "(\w+)";', TEXT).group(1) == JS_MODULE


def test_event_types():
    """The event vocabulary is the one events.py builds."""
    assert _frozen("EVENT_TYPES") == list(events.TYPES)


def test_parser_sees_properties():
    """The parser itself: SeriesOptions has its optional properties, aliases resolve."""
    assert {"seriesDescription", "reference", "memoryBudget"} <= _options("SeriesOptions")
    assert _options("DescribeOptions") == {"memoryBudget"}
