"""The deidentify job: DICOM files -> the same files de-identified by the PS3.15 Annex E
Basic Application Level Confidentiality Profile and the options the user ticked.

One ``file`` per input, named by its new SOP Instance UID (an input's name may itself
identify the patient), a ``result`` per input with what changed (tags and action codes,
never a value), ``deidentification_report.json`` (the same for every file), and only when
``write_mapping`` is set ``deidentification_mapping.json``: original UIDs, date shifts and
file names, which the user keeps to de-identify a later batch consistently (``mapping``)
and must keep as safe as the originals. Burned In Annotation YES is a warning per file.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Iterator

from dicomforge import __version__
from dicomforge.dicom.uids import root_problem
from dicomforge.errors import OptionsError

from . import events
from .batch import each_input
from .output import unique_names
from .registry import Job, JobContext
from .schema import Option, Schema

__all__ = ["JOB", "REPORT_NAME", "MAPPING_NAME"]

REPORT_NAME = "deidentification_report.json"
MAPPING_NAME = "deidentification_mapping.json"
_DATES = ("remove", "keep", "shift")

SCHEMA = Schema(
    "deidentify",
    Option("retain_uids", ("boolean",), False, "keep UIDs (Retain UIDs Option)"),
    Option("dates", ("text",), "remove", "dates: remove (basic profile), keep (Retain Longitudinal Temporal "
           "Information Full Dates) or shift by a per-patient number of days (Modified Dates)",
           lambda v: None if v in _DATES else f"dates must be one of {', '.join(_DATES)}, got {v!r}"),
    Option("retain_patient_characteristics", ("boolean",), False, "keep sex, age, size, weight... (Retain Patient "
           "Characteristics Option)"),
    Option("retain_device_identity", ("boolean",), False, "keep device serial numbers, station names... (Retain "
           "Device Identity Option)"),
    Option("retain_institution_identity", ("boolean",), False, "keep institution names and addresses (Retain "
           "Institution Identity Option)"),
    Option("clean_descriptors", ("boolean",), False, "keep descriptions, cleaned of the file's names and IDs "
           "(Clean Descriptors Option)"),
    Option("retain_safe_private", ("boolean",), False, "keep private attributes known to be safe (Retain Safe "
           "Private Option): those of PixelMed's list (PS3.15 E.3.10) and blocks the file declares safe"),
    Option("uid_prefix", ("text",), "", "root for the new UIDs, ending in '.' (default 2.25. UUID-derived)"),
    Option("patient_name", ("text",), "", "Patient's Name to write instead (a subject code), default empty"),
    Option("patient_id", ("text",), "", "Patient ID to write instead (a subject code), default empty"),
    Option("mapping", ("text",), "", "the mapping of an earlier batch (its JSON text): the same UIDs and date "
           "shifts again"),
    Option("write_mapping", ("boolean",), False, f"also write {MAPPING_NAME} (sensitive: it links the files "
           "to the original patients)"),
)


def _options(options: dict):
    """The job's options that are :class:`~dicomforge.deid.DeidOptions` fields, as one."""
    from dicomforge.deid import DeidOptions

    return DeidOptions(**{field.name: options[field.name] for field in fields(DeidOptions)})


def _check(options: dict, label) -> list:
    from dicomforge.deid import DeidMapping

    problems = [p for p in [root_problem(label("uid_prefix"), options["uid_prefix"])] if p]
    if options["mapping"]:
        try:
            DeidMapping(text=options["mapping"])
        except OptionsError as error:
            problems.append(f"{label('mapping')}: {error.message}")
    return problems


def run(inputs: list, options: dict, context: JobContext) -> Iterator[dict]:
    """A ``file``, a ``result`` (the file's report) and a ``progress`` per input; then the report
    (and the mapping, when asked)."""
    from dicomforge.deid import DeidMapping, ProfileTable, deidentify_file

    chosen = _options(options)
    mapping = DeidMapping(chosen.uid_prefix, options["mapping"] or None)
    table, reports, used = ProfileTable(), [], []

    def deidentified(index: int, item) -> Iterator[dict]:
        data, report = deidentify_file(item, chosen, mapping, table)
        report["output"] = unique_names([*used, report["output"]])[-1]
        used.append(report["output"])
        mapping.files[item.name] = report["output"]
        yield events.output(report["output"], data)
        if report["burnedInAnnotation"] == "YES":
            yield events.warning("Burned In Annotation is YES: text in the image itself may identify the "
                                 "patient and is not removed", item.name)
        reports.append(report)
        yield events.result(item.name, report)

    yield from each_input(inputs, deidentified)
    if reports:
        summary = {"profile": chosen.method_text(__version__), "options": sorted(chosen.columns),
                   "methodCodes": [code for code, _ in chosen.method_codes()], "files": reports}
        yield events.output(REPORT_NAME, json.dumps(summary, indent=1).encode("utf-8"))
        if options["write_mapping"]:
            yield events.output(MAPPING_NAME, mapping.to_json().encode("utf-8"))


JOB = Job("deidentify", "DICOM files -> de-identified copies (PS3.15 Annex E basic profile and options)",
          SCHEMA, run, check=_check)
