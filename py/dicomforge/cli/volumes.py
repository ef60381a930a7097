"""``python -m dicomforge zarr INPUT... -o OUT.zarr|OUT.zarr.zip`` and ``python -m dicomforge export
INPUT... -o OUT.nii.gz|.nii|.nrrd|.mha``: volumes (a DICOM series, NIfTI, NRRD, MetaImage, VTK,
a Zarr store) out as a Zarr v3 store (the zarr job) or a volume file (the export job).

``-o`` names the output: a ``.zarr`` folder or a ``.zarr.zip`` zip store; for export a file
whose ending picks the format (with several volumes, ``-o`` is a folder and each file is
named after its input). The inputs are never modified.
"""

from __future__ import annotations

import argparse
import os

from dicomforge.errors import OptionsError

from .run import Outputs, add_options, given_options, run_job

__all__ = ["add_command"]

_ENDINGS = {".nii.gz": "nifti", ".nii": "nii", ".nrrd": "nrrd", ".mha": "mha"}


def _size(value: dict) -> str:
    return "x".join(map(str, value["size"])) + f" {value['dtype']}"


def _run_zarr(args: argparse.Namespace) -> int:
    out = args.output.rstrip("/")
    outputs = Outputs(None, out) if out.lower().endswith(".zip") else Outputs(out)

    def show(file: str, value: dict) -> None:
        print(f"{file}: {_size(value)} -> {out}{'' if value['store'] == '/' else '/' + value['store']} "
              f"({value['entries']} entries, {value['bytes']} bytes, ratio {value['ratio']})")

    options = given_options(args, ["compressor", "level", "shuffle", "chunks", "dicom"])
    return run_job("zarr", args.inputs, options, show, outputs, data_files=True)


class _Renamed(Outputs):
    """Outputs whose single file takes the name the user gave (``-o scan.nii.gz``)."""

    def __init__(self, path: str) -> None:
        super().__init__(os.path.dirname(path) or ".")
        self.path = path

    def add(self, name: str, data) -> str:
        return super().add(os.path.basename(self.path), data)


def _run_export(args: argparse.Namespace) -> int:
    lower = args.output.lower()
    ending = next((e for e in _ENDINGS if lower.endswith(e)), None)
    fmt = args.format or (_ENDINGS[ending] if ending else None)
    if fmt is None:
        raise OptionsError(f"-o {args.output!r}: end it in .nii.gz, .nii, .nrrd or .mha, or give --format with a folder")
    outputs = _Renamed(args.output) if ending else Outputs(args.output)
    if ending and len(args.inputs) > 1:
        outputs = _OneVolume(outputs)

    def show(file: str, value: dict) -> None:
        where = args.output if ending else os.path.join(args.output, value["name"])
        print(f"{file}: {_size(value)} -> {where} ({value['bytes']} bytes)")

    options = {**given_options(args, ["compress", "float32"]), "format": fmt}
    return run_job("export", args.inputs, options, show, outputs, data_files=True)


class _OneVolume:
    """A file output that refuses a second volume (several inputs may still be one series)."""

    def __init__(self, outputs: _Renamed) -> None:
        self.outputs, self.count = outputs, 0

    def add(self, name: str, data) -> str:
        self.count += 1
        if self.count > 1:
            raise OptionsError(f"the inputs hold more than one volume: give a folder as -o (not {self.outputs.path})")
        return self.outputs.add(name, data)

    def close(self) -> None:
        self.outputs.close()


def add_command(sub) -> None:
    p = sub.add_parser("zarr", help="volumes (DICOM series included) -> Zarr v3 stores (OME-Zarr 0.5)")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="OUT.zarr", help="a .zarr folder or a .zarr.zip zip store")
    add_options(p, "zarr", ["compressor", "level", "shuffle", "chunks", "dicom"],
                chunks={"type": lambda text: [int(v) for v in text.split(",")], "metavar": "Z,Y,X"})
    p.set_defaults(run=_run_zarr)
    p = sub.add_parser("export", help="volumes (DICOM series, Zarr stores...) -> NIfTI-1, NRRD or MetaImage")
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="OUT.nii.gz, OUT.nii, OUT.nrrd or OUT.mha (or a folder, with --format)")
    add_options(p, "export", ["format", "compress", "float32"])
    p.set_defaults(run=_run_export)
