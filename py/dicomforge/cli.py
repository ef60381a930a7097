"""The native command line: ``python -m dicomforge <command> ...``.

Conventions every subcommand follows: exit 0 on success; exit 2 when any input
was bad, with one line ``error: <file>: <message>`` per failed input on stderr
(never a traceback for bad input), the other inputs of the same call still
processed. Subcommands register themselves in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Iterable

import pydicom

from dicomforge import __version__, kernels
from dicomforge.errors import DicomForgeError
from dicomforge.inputs import BatchResult, NamedInput, read_input, run_batch

__all__ = ["main", "build_parser", "report", "EXIT_OK", "EXIT_BAD_INPUT"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def version_text() -> str:
    return (
        f"dicomforge {__version__} (pydicom {pydicom.__version__}, "
        f"Python {sys.version.split()[0]}, backend {kernels.BACKEND})"
    )


def report(results: Iterable[BatchResult], on_success: Callable[[BatchResult], None]) -> int:
    """Print one ``error:`` line per failed input; return the exit code of the batch."""
    failed = 0
    for result in results:
        if result.ok:
            on_success(result)
        else:
            failed += 1
            print(f"error: {result.error}", file=sys.stderr)
    return EXIT_BAD_INPUT if failed else EXIT_OK


def read_inputs(paths: Iterable[str]) -> Iterable[NamedInput | BatchResult]:
    """Read each path; unreadable ones become failed results in place."""
    for path in paths:
        try:
            yield read_input(path)
        except DicomForgeError as exc:
            yield BatchResult(path, error=exc)


def batch(paths: Iterable[str], work: Callable[[NamedInput], object]) -> Iterable[BatchResult]:
    """Read and process each path, in order, failures kept per input."""
    for item in read_inputs(paths):
        if isinstance(item, BatchResult):
            yield item
        else:
            yield from run_batch([item], work)


def _cmd_info(args: argparse.Namespace) -> int:
    from dicomforge.describe import describe_dicom

    def show(result: BatchResult) -> None:
        print(json.dumps(result.value) if args.json else _info_line(result.value))

    return report(batch(args.files, describe_dicom), show)


def _info_line(info: dict) -> str:
    return (
        f"{info['file']}: {info['modality'] or '?'} {info['sopClass']}, "
        f"{info['columns']}x{info['rows']}x{info['frames']}, {info['transferSyntax']}"
    )


def _add_info(sub) -> None:
    p = sub.add_parser("info", help="summarise DICOM files (header only)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(run=_cmd_info)


#: Functions that add one subcommand each to the parser; feature modules append theirs.
COMMANDS: list[Callable] = [_add_info]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dicomforge", description="DICOM volume export, overlays and preview."
    )
    parser.add_argument("--version", action="version", version=version_text())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return args.run(args)
    except DicomForgeError as exc:  # an option error that concerns no single input
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _stem(path: str) -> str:
    """File name without folders and format extensions (``a/b.nii.gz`` -> ``b``)."""
    import os

    name = os.path.basename(path)
    for ending in (".gz", ".nii", ".hdr", ".img", ".nrrd", ".nhdr", ".mhd", ".mha", ".raw", ".vtk", ".dcm"):
        if name.lower().endswith(ending) and len(name) > len(ending):
            name = name[: -len(ending)]
    return name or "series"


def _sibling_partners(path: str) -> dict:
    """Files next to *path* with the same stem: the data half of a two-file format."""
    import glob
    import os

    found = {}
    stem = os.path.join(os.path.dirname(path), os.path.basename(path).split(".")[0])
    for other in glob.glob(glob.escape(stem) + ".*"):
        if other != path and os.path.isfile(other):
            try:
                found[other] = read_input(other)
            except DicomForgeError:
                pass
    return found


def _cmd_series(args: argparse.Namespace) -> int:
    import os
    import zipfile

    from dicomforge.errors import OptionsError
    from dicomforge.formats import detect_format, read_volume
    from dicomforge.series import SeriesOptions, write_series

    if not args.output and not args.zip:
        raise OptionsError("give an output folder (-o DIR) or a zip file (--zip FILE)")
    reference = None
    if args.reference:
        from pydicom import dcmread
        from pydicom.errors import InvalidDicomError

        try:
            reference = dcmread(args.reference, stop_before_pixels=True)
        except (OSError, InvalidDicomError) as exc:
            raise OptionsError(f"--reference {args.reference}: not a readable DICOM file ({exc})") from None
    options = SeriesOptions(
        series_description=args.series_description,
        series_number=args.series_number,
        modality=args.modality,
        instance_start=args.instance_start,
        file_pattern=args.file_pattern,
        patient_name=args.patient_name,
        patient_id=args.patient_id,
        study_description=args.study_description,
        study_instance_uid=args.study_uid,
        uid_prefix=args.uid_prefix,
        reference=reference,
    )
    items = [i for i in read_inputs(args.inputs)]
    loaded = {i.name: i for i in items if isinstance(i, NamedInput)}
    stems = [_stem(i.name) for i in items]
    archive = zipfile.ZipFile(args.zip, "w", zipfile.ZIP_STORED) if args.zip else None

    def convert(item: NamedInput):
        partners = dict(loaded)
        partners.update(_sibling_partners(item.name))
        partners.pop(item.name, None)
        volume = read_volume(item, partners)
        folder = _stem(item.name) if len(items) > 1 else ""
        warnings: list[str] = list(volume.warnings)
        count = 0
        for name, data in write_series(volume, options, warnings=warnings):
            rel = os.path.join(folder, name) if folder else name
            if args.output:
                path = os.path.join(args.output, rel)
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
                with open(path, "wb") as fh:
                    fh.write(data)
            if archive is not None:
                archive.writestr(rel.replace(os.sep, "/"), data)
            count += 1
        return {"files": count, "folder": folder, "warnings": warnings}

    def show(result: BatchResult) -> None:
        info = result.value
        where = os.path.join(args.output or "", info["folder"]) if args.output else args.zip
        print(f"{result.name}: {info['files']} files -> {where}")
        for warning in info["warnings"]:
            print(f"warning: {result.name}: {warning}", file=sys.stderr)

    def results():
        for item, stem in zip(items, stems):
            if isinstance(item, BatchResult):
                yield item
            elif detect_format(item) is None and stems.count(stem) > 1:
                continue  # the data half of a two-file input given beside its header
            else:
                yield from run_batch([item], convert)

    try:
        return report(results(), show)
    finally:
        if archive is not None:
            archive.close()


def _add_series(sub) -> None:
    p = sub.add_parser("series", help="write volumes (NIfTI, NRRD, MetaImage, VTK, DICOM) as DICOM series")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", metavar="DIR", help="folder for the files (one subfolder per input when several)")
    p.add_argument("--zip", metavar="FILE", help="also (or only) write every file into this zip")
    p.add_argument("--modality", default="OT", help="CT, MR, or anything else for Secondary Capture (default OT)")
    p.add_argument("--series-description", default="", metavar="TEXT")
    p.add_argument("--series-number", type=int, default=1, metavar="N")
    p.add_argument("--patient-name", default="", metavar="X")
    p.add_argument("--patient-id", default="", metavar="X")
    p.add_argument("--study-description", default="", metavar="TEXT")
    p.add_argument("--study-uid", default="", metavar="UID", help="join this existing study")
    p.add_argument("--uid-prefix", default="", metavar="ROOT", help="root for generated UIDs, ending in '.'")
    p.add_argument("--file-pattern", default="slice_%04d.dcm", metavar="P", help="printf pattern of the instance number")
    p.add_argument("--instance-start", type=int, default=1, metavar="N")
    p.add_argument("--reference", metavar="FILE", help="DICOM file whose patient and study attributes are copied")
    p.set_defaults(run=_cmd_series)


COMMANDS.append(_add_series)
