"""Jobs the worker (or any host) can run: generators of plain-dict events.

A job takes a list of :class:`~dicomforge.inputs.NamedInput` and an options dict
and yields events, one step at a time, so that the host can report progress and
stop between steps (cancellation):

- ``{"type": "progress", "done": int, "total": int, "file": str}``
- ``{"type": "result", "file": str, "value": <JSON-ready>}``
- ``{"type": "file", "name": str, "data": bytes}``  (an output file)
- ``{"type": "error", "name": "DicomForgeError", "message": str, "file": str, "kind": str}``
- ``{"type": "warning", "message": str, "file": str}``
- ``{"type": "failed", "name": "DicomForgeError", "message": str, ...}``  (the job
  as a whole could not go on, e.g. an invalid option; always the last event)
- ``{"type": "wait"}``  (only for inputs given as an :class:`~dicomforge.inputs.InputFeed`:
  the job needs an input that has not arrived; the host adds more, then asks again)

A bad input yields an ``error`` event and the job goes on with the next input.
This module knows nothing of browsers; the worker only drives the generator.
"""

from __future__ import annotations

from typing import Callable, Iterator

from dicomforge.errors import DicomForgeError, OptionsError, UnsupportedError
from dicomforge.inputs import WAIT, InputFeed, NamedInput, batch_events, stem

__all__ = ["JOBS", "start", "describe_job"]

Event = dict
Job = Callable[[list, dict], Iterator[Event]]


def describe_job(inputs: list[NamedInput] | InputFeed, options: dict) -> Iterator[Event]:
    """What each input is: a DICOM header summary, or a volume's format and geometry.

    Files no reader recognises are reported as ``partner`` when a two-file header
    among the inputs may claim them (``.raw`` beside ``.mhd``), else as errors.
    Volumes are described from their headers (inputs may hold only the start of the
    file, see :class:`NamedInput`); only 8-bit ones are read whole, for their labels.

    Inputs are described as they arrive (see :class:`InputFeed`): DICOM files and one-file
    volumes at once, two-file headers and unrecognised files (which may be partners) once
    every input is there.
    """
    from dicomforge.describe import describe_dicom
    from dicomforge.errors import MissingPartnerError
    from dicomforge.formats import UNRECOGNISED, detect_format

    feed = InputFeed.of(inputs)
    kinds, later, done = {}, [], 0
    for item in feed.arrivals():
        if item is None:
            yield dict(WAIT)
            continue
        kind = kinds[item.name] = detect_format(item)
        if kind == "dicom":
            value = lambda i: {"kind": "dicom", **describe_dicom(i.complete())}  # noqa: E731
        elif kind is None or item.name.lower().endswith(_TWO_FILE_HEADERS):
            later.append(item)
            continue
        else:
            try:
                volume = _header_volume(item, {}, kinds)
            except MissingPartnerError:  # a one-file format naming a data file all the same
                later.append(item)
                continue
            except DicomForgeError as error:
                volume = error.with_file(item.name)
            value = lambda i, kind=kind, volume=volume: _volume_value(kind, volume)  # noqa: E731
        yield from batch_events([item], value, done, feed.expected)
        done += 1
    volumes = dict(_volumes(later, header_only=True))

    def describe(item: NamedInput) -> dict:
        kind = kinds[item.name]
        if kind is None:
            if _claimed(item, everything, kinds):
                return {"kind": "partner"}
            raise UnsupportedError(UNRECOGNISED, item.name)
        return _volume_value(kind, volumes[item.name])

    everything = feed.items
    yield from batch_events(later, describe, done, feed.expected)


def _volume_value(kind: str, volume) -> dict:
    """A volume's description (:func:`volume_summary` and its format), or its error raised."""
    if isinstance(volume, DicomForgeError):
        raise volume
    return {"format": kind, **volume_summary(volume)}


_TWO_FILE_HEADERS = (".nhdr", ".mhd", ".hdr")


def _claimed(item: NamedInput, inputs: list[NamedInput], kinds: dict) -> bool:
    """Whether a two-file header among *inputs* has *item*'s stem or names it in its text."""
    base = item.name.replace("\\", "/").rsplit("/", 1)[-1]
    for header in inputs:
        if kinds[header.name] and header.name.lower().endswith(_TWO_FILE_HEADERS):
            if stem(header.name) == stem(item.name) or base.encode() in bytes(header.data[:4096]):
                return True
    return False


def _series_options(options: dict, inputs: list[NamedInput]):
    """SeriesOptions from the job's options; ``reference`` names one of the inputs."""
    from dataclasses import fields

    from dicomforge.describe import read_header
    from dicomforge.series import SeriesOptions

    known = {f.name for f in fields(SeriesOptions)} - {"reference"}
    unknown = sorted(set(options) - known - {"reference"})
    if unknown:
        raise OptionsError(f"unknown series option(s): {', '.join(unknown)}")
    chosen = SeriesOptions(**{k: v for k, v in options.items() if k in known})
    reference_name = options.get("reference")
    if reference_name:
        matches = [i for i in inputs if i.name == reference_name]
        if not matches:
            raise OptionsError(f"the reference file {reference_name!r} is not among the inputs")
        chosen.reference = read_header(matches[0])
    return chosen


def _volumes(inputs: list[NamedInput], header_only: bool = False) -> Iterator[tuple[str, object]]:
    """``(source name, Volume or DicomForgeError)`` for every volume among *inputs*.

    DICOM files are grouped into series; files no reader recognises are the data
    halves of two-file formats when a header among the inputs can claim them, else errors.
    *header_only*: volumes without voxels (see :func:`_header_volume`).
    """
    from dicomforge.formats import UNRECOGNISED, detect_format, read_dicom_series, read_volume

    kinds = {item.name: detect_format(item) for item in inputs}
    partners = {item.name: item for item in inputs}
    dicom = [item.complete() for item in inputs if kinds[item.name] == "dicom"]
    if dicom:
        try:
            for volume in read_dicom_series(dicom):
                yield volume.name, volume
        except DicomForgeError as error:
            yield error.file or dicom[0].name, error
    for item in inputs:
        kind = kinds[item.name]
        if kind == "dicom" or (kind is None and _claimed(item, inputs, kinds)):
            continue
        if kind is None:
            yield item.name, UnsupportedError(UNRECOGNISED, item.name)
            continue
        others = {k: v for k, v in partners.items() if k != item.name}
        try:
            if header_only:
                yield item.name, _header_volume(item, others, kinds)
            else:
                yield item.name, read_volume(item.complete(), {k: v.complete() for k, v in others.items()})
        except DicomForgeError as error:
            yield item.name, error.with_file(item.name)


def _header_volume(item: NamedInput, partners: dict, kinds: dict):
    """*item*'s Volume from its header (``data`` None) when it or a partner holds only
    the start of its file, read whole when it must be.

    Whole: inputs the host gave whole with their partners (reading them costs no copy,
    and checks the data), 8-bit scalar volumes (:func:`volume_summary` looks for labels in them), and inputs
    whose header could not be read from the start of the file alone, so that an error
    names the real problem. Only the partners a reader may take (same stem, or no
    format of their own) are then loaded whole.
    """
    from dicomforge.formats import read_volume

    if not (item.partial or any(p.partial for p in partners.values())):
        return read_volume(item, partners)
    try:
        volume = read_volume(item, partners, header_only=True)
    except DicomForgeError:
        if not (item.partial or any(p.partial for p in partners.values())):
            raise
    else:
        if not (volume.components == 1 and volume.dtype in ("uint8", "int8")):
            return volume
    own = stem(item.name)
    whole = {k: v.complete() if kinds.get(k) is None or stem(k) == own else v for k, v in partners.items()}
    return read_volume(item.complete(), whole)


def series_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """Volume(s) -> DICOM series, one Part 10 file event per slice.

    Options are :class:`dicomforge.series.SeriesOptions` fields; ``reference`` names
    an input whose patient/study attributes are copied (it is not converted).
    """
    from dicomforge.series import plan_series

    series_options = _series_options(options, inputs)
    reference = options.get("reference")
    sources = [item for item in inputs if item.name != reference]
    volumes = list(_volumes(sources))
    several = sum(1 for _, v in volumes if not isinstance(v, DicomForgeError)) > 1
    for name, volume in volumes:
        if isinstance(volume, DicomForgeError):
            yield {"type": "error", **volume.to_dict()}
            continue
        try:
            plan = plan_series(volume, series_options)
        except DicomForgeError as error:
            yield {"type": "error", **error.with_file(name).to_dict()}
            continue
        for warning in [*volume.warnings, *plan.warnings]:
            yield {"type": "warning", "file": name, "message": warning}
        folder = f"{stem(name)}/" if several else ""
        for done, (file_name, data) in enumerate(plan.files(), start=1):
            yield {"type": "file", "name": folder + file_name, "data": data}
            yield {"type": "progress", "done": done, "total": plan.count, "file": name}
        yield {"type": "result", "file": name, "value": volume_summary(volume, plan.count)}


#: Jobs that need only the start of big inputs: a host may hand them partial inputs
#: (:class:`~dicomforge.inputs.NamedInput` with ``load``).
PARTIAL_INPUT_JOBS = ("describe",)

#: Jobs that start on the first inputs of an :class:`~dicomforge.inputs.InputFeed`; :func:`start`
#: gives the others the whole list once the feed is complete.
FEED_JOBS = ("describe",)

#: An 8-bit volume with at most this many distinct values is offered as a label map.
MAX_LABELS = 32


def volume_summary(volume, files: int | None = None) -> dict:
    """What the page shows about a volume: format-independent geometry, JSON-ready.

    8-bit scalar volumes with few distinct values are reported as label maps
    (``kind: "labelmap"``, ``labels``: the nonzero values), the masks the overlay job takes.
    """
    labels = None
    if volume.data is not None and volume.dtype in ("uint8", "int8") and volume.components == 1:
        values = volume.distinct_values()
        if len(values) <= MAX_LABELS:
            labels = [v for v in values if v != 0]
    summary = {
        "kind": "labelmap" if labels else "volume",
        "size": list(volume.size),
        "spacing": [round(s, 6) for s in volume.spacing],
        "origin": [round(o, 4) for o in volume.origin],
        "direction": [[round(c, 6) for c in axis] for axis in volume.direction],
        "dtype": volume.dtype,
        "components": volume.components,
        "warnings": list(volume.warnings),
    }
    if labels:
        summary["labels"] = labels
    if files is not None:
        summary["files"] = files
    return summary


def overlay_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """Masks -> 60xx overlay planes in DICOM files (see :func:`dicomforge.overlays.overlay_job`)."""
    from dicomforge import overlays

    return overlays.overlay_job(inputs, options)


def preview_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """What the canvas needs to show each DICOM input (see :func:`dicomforge.display.preview_job`)."""
    from dicomforge import display

    return display.preview_job(inputs, options)


def display_table(frame_info: dict, center=None, width=None, function: str = "LINEAR", voi=None) -> dict:
    """The display table for one window, or the error in words (hosts see no exception).

    ``{"lut": bytes}`` on success, else ``{"error": <DicomForgeError.to_dict()>}``; see
    :func:`dicomforge.display.display_lut`.
    """
    from dicomforge import display

    try:
        return {"lut": display.display_lut(dict(frame_info), center, width, function, voi)}
    except DicomForgeError as error:
        return {"error": error.to_dict()}


def render_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """Each DICOM input rendered to RGBA (window, overlays) by :func:`dicomforge.display.render`.

    Options: ``frame``, ``center`` + ``width`` (+ ``function``), ``preset``, ``overlays``.
    """
    from dicomforge import display

    known = {"frame", "center", "width", "function", "preset", "overlays"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise OptionsError(f"unknown render option(s): {', '.join(unknown)}")
    window = {k: options[k] for k in ("frame", "center", "width", "function", "preset", "overlays") if k in options}

    def render(item: NamedInput) -> dict:
        shown = display.render(item, **window)
        return {"width": shown.width, "height": shown.height, "rgba": shown.rgba,
                "window": shown.window, "presets": shown.presets}

    yield from batch_events(inputs, render)


def sample_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """A synthetic head phantom as a NIfTI file (for the page's "try a sample" button)."""
    from dicomforge.phantom import phantom_nifti

    yield {"type": "file", "name": "sample_phantom.nii", "data": phantom_nifti()}
    yield {"type": "progress", "done": 1, "total": 1, "file": "sample_phantom.nii"}


def bench_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """Run synthetic workloads (:mod:`dicomforge.bench`): progress as they run, then one
    ``result`` (file ``"bench"``) holding the whole report.

    Options: ``workloads`` (names; all by default) and the :class:`~dicomforge.bench.BenchConfig`
    fields ``slices``, ``files``, ``runs``, ``seed``.
    """
    import time

    from dicomforge import bench

    config, names = _bench_options(options)
    workloads, last = {}, 0.0
    for name, done, total, figures in bench.run_steps(names, config):
        if figures is not None:
            workloads[name] = figures
        if figures is not None or time.perf_counter() - last > 0.1:  # a few events per second
            last = time.perf_counter()
            yield {"type": "progress", "done": done, "total": total, "file": name}
    yield {"type": "result", "file": "bench", "value": bench.report(config, workloads)}


def bench_fixture_job(inputs: list[NamedInput], options: dict) -> Iterator[Event]:
    """The inputs of the page's dcmjs reference for the ``series_int16`` workload: the
    volume's voxels (``volume.raw``) and our first slice (``template.dcm``)."""
    from dicomforge import bench

    config, _ = _bench_options(options)
    voxels, template = bench.dcmjs_fixture(config)
    yield {"type": "file", "name": "volume.raw", "data": voxels}
    yield {"type": "file", "name": "template.dcm", "data": template}
    yield {"type": "result", "file": "bench_fixture", "value": {
        "size": bench.SIZE, "slices": config.slices, "dtype": "int16", "seed": config.seed}}


def _bench_options(options: dict):
    from dicomforge import bench

    fields = ("slices", "files", "runs", "seed")
    unknown = sorted(set(options) - {"workloads", *fields})
    if unknown:
        raise OptionsError(f"unknown bench option(s): {', '.join(unknown)}")
    config = bench.BenchConfig(**{k: options[k] for k in fields if k in options})
    return config, bench.check_names(options.get("workloads"))


def warm_up() -> float:
    """Run describe, series, overlay (with the zip) and preview once on a tiny phantom, and
    return the seconds it took.

    The first run of each job imports modules and fills pydicom's caches: a few hundred
    milliseconds in wasm. A host that calls this while the user is still choosing files
    spends them before the first real job. Nothing is kept; no error escapes (a warm-up
    that fails only leaves the first job slower).
    """
    import time

    started = time.perf_counter()
    try:
        _warm_up_jobs()
    except Exception:  # noqa: BLE001 - see the docstring
        pass
    return time.perf_counter() - started


def _warm_up_jobs() -> dict:
    """The jobs :func:`warm_up` runs; returns how many events of each type they made."""
    from dicomforge.phantom import phantom_nifti
    from dicomforge.zipstream import zip_events

    counts: dict = {}

    def drain(events):
        out = []
        for event in events:
            counts[event["type"]] = counts.get(event["type"], 0) + 1
            out.append(event)
        return out

    volume = NamedInput("warm_up.nii", phantom_nifti((16, 16, 2)))
    drain(start("describe", [volume]))
    slices = [NamedInput(e["name"], e["data"]) for e in drain(start("series", [volume], {"modality": "CT"}))
              if e["type"] == "file"]
    drain(zip_events(start("overlay", [*slices, volume], {}), "STORE"))
    drain(start("describe", slices))
    drain(start("preview", slices[:1], {"frame": 0}))
    return counts


#: Job name -> generator function. Feature modules add theirs here.
JOBS: dict[str, Job] = {
    "describe": describe_job,
    "series": series_job,
    "overlay": overlay_job,
    "preview": preview_job,
    "render": render_job,
    "sample": sample_job,
    "bench": bench_job,
    "bench_fixture": bench_fixture_job,
}


def start(name: str, inputs: list | InputFeed, options: dict | None = None) -> Iterator[Event]:
    """The event generator of job *name*, over a list of inputs or an
    :class:`~dicomforge.inputs.InputFeed` (the job then yields ``wait`` events until the
    inputs it needs are there).

    Every job also takes ``memory_budget`` (bytes, or a size like ``"800M"``): the most
    one volume may take (:mod:`dicomforge.limits`). A DicomForgeError that stops the
    whole job (an unknown job name, an invalid option) becomes a final ``failed`` event,
    so hosts see no exception for it.
    """
    from dicomforge.limits import budget

    options = dict(options or {})
    try:
        job = JOBS.get(name)
        if job is None:
            raise OptionsError(f"unknown job {name!r} (known: {', '.join(sorted(JOBS))})")
        with budget(options.pop("memory_budget", None)):
            if not isinstance(inputs, InputFeed):
                inputs = list(inputs)
            elif name not in FEED_JOBS:
                while not inputs.complete:
                    yield dict(WAIT)
                inputs = inputs.items
            yield from job(inputs, options)
    except DicomForgeError as error:
        yield {"type": "failed", **error.to_dict()}
