"""``python -m dicomforge series``: volumes (NIfTI, NRRD, MetaImage, VTK, DICOM) -> DICOM series."""

from __future__ import annotations

import argparse
import sys

from dicomforge.cli import read_inputs, report
from dicomforge.inputs import BatchResult, NamedInput, run_batch, sibling_partners, stem

__all__ = ["add_command"]


def _cmd_series(args: argparse.Namespace) -> int:
    import os

    from dicomforge.errors import OptionsError
    from dicomforge.formats import detect_format, read_volume
    from dicomforge.series import SeriesOptions, write_series
    from dicomforge.zipstream import ZipStream

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
    stems = [stem(i.name) for i in items]
    zip_file = open(args.zip, "wb") if args.zip else None
    archive = ZipStream(zip_file, "STORE") if zip_file else None  # the page's zip code

    def convert(item: NamedInput):
        partners = dict(loaded)
        partners.update(sibling_partners(item.name))
        partners.pop(item.name, None)
        volume = read_volume(item, partners)
        folder = stem(item.name) if len(items) > 1 else ""
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
                archive.add(rel.replace(os.sep, "/"), data)
            count += 1
        return {"files": count, "folder": folder, "warnings": warnings}

    def show(result: BatchResult) -> None:
        info = result.value
        where = os.path.join(args.output or "", info["folder"]) if args.output else args.zip
        print(f"{result.name}: {info['files']} files -> {where}")
        for warning in info["warnings"]:
            print(f"warning: {result.name}: {warning}", file=sys.stderr)

    def results():
        for item, item_stem in zip(items, stems):
            if isinstance(item, BatchResult):
                yield item
            elif detect_format(item) is None and stems.count(item_stem) > 1:
                continue  # the data half of a two-file input given beside its header
            else:
                yield from run_batch([item], convert)

    try:
        return report(results(), show)
    finally:
        if archive is not None:
            archive.close()
            zip_file.close()


def add_command(sub) -> None:
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


