"""Networking commands: DIMSE (``echo``, ``send``, ``find``, ``listen``; pynetdicom) and DICOMweb
(``stow``, ``qido``, ``wado``; the standard library), one typed result per file or match.

Each prints one line per result (``--json``: one JSON object per line) and exits 0 when every
file went through, 2 otherwise (a file the peer refused, a failed search); Ctrl-C aborts an open
association and exits 130. The inputs are never modified. The Authorization value of
``--authorization`` (or the ``DICOMWEB_AUTHORIZATION`` environment variable) is never printed.
"""

from __future__ import annotations

import json
import os
import sys

from dicomforge.errors import DicomForgeError, OptionsError

from .run import EXIT_BAD_INPUT, EXIT_OK, read_paths

__all__ = ["add_command"]


def _peer(args):
    from dicomforge.net.dimse import Peer

    return Peer(args.host, args.port, args.called_aet, args.aet, args.timeout)


def _print(args, row: dict, line: str) -> None:
    print(json.dumps(row) if args.json else line)


def _echo(args) -> int:
    from dicomforge.net.dimse import echo

    result = echo(_peer(args))
    _print(args, result, f"C-ECHO {args.called_aet}@{args.host}:{args.port}: {result['message']}")
    return EXIT_OK if result["ok"] else EXIT_BAD_INPUT


def _files(paths: list[str]):
    inputs, failures = read_paths(paths)
    for path, error in failures.items():
        print(f"error: {error}", file=sys.stderr)
    return inputs, bool(failures)


def _send(args) -> int:
    from dicomforge.net.dimse import send

    inputs, bad = _files(args.files)
    for row in send(inputs, _peer(args)):
        bad |= not row["ok"]
        status = f" (0x{row['status']:04X})" if row["status"] is not None else ""
        _print(args, row, f"{row['file']}: {row['message']}{status}")
    return EXIT_BAD_INPUT if bad else EXIT_OK


def _keys(pairs: list[str] | None) -> dict:
    keys = {}
    for pair in pairs or ():
        keyword, sep, value = pair.partition("=")
        if not sep or not keyword:
            raise OptionsError(f"-k {pair!r}: give KEYWORD=VALUE, e.g. -k PatientID=123")
        keys[keyword] = value
    return keys


def _show_match(args, match: dict) -> None:
    value = lambda tag: ((match.get(tag) or {}).get("Value") or [""])[0]  # noqa: E731
    name = value("00100010")
    name = name.get("Alphabetic", "") if isinstance(name, dict) else name
    text = (f"study {value('0020000D')}" + (f" series {value('0020000E')} {value('00080060')}" if value("0020000E") else
                                            f" {name} {value('00100020')} {value('00080020')}"))
    _print(args, match, text.rstrip())


def _find(args) -> int:
    from dicomforge.net.dimse import find

    for match in find(_peer(args), args.level, _keys(args.key)):
        _show_match(args, match)
    return EXIT_OK


def _listen(args) -> int:
    from dicomforge.net.dimse import listen

    print(f"listening on port {args.port} as {args.aet}; files go to {args.output} (Ctrl-C stops)", file=sys.stderr)
    listen(args.port, args.output, args.aet, args.allow or None,
           on_file=lambda row: _print(args, row, f"{row['caller']}: {row['sopInstanceUid']} -> {row['file']}"))
    return EXIT_OK


def _service(args):
    from dicomforge.net.dicomweb import Service

    authorization = args.authorization or os.environ.get("DICOMWEB_AUTHORIZATION") or None
    return Service(args.url, authorization, args.timeout, args.retries)


def _stow(args) -> int:
    from dicomforge.dicom import tags
    from dicomforge.dicom.scan import scan
    from dicomforge.net.dicomweb import stow

    inputs, bad = _files(args.files)
    files = []
    for item in inputs:
        try:
            files.append((item.name, scan(item, header_only=True).text(tags.SOP_INSTANCE_UID) or "", bytes(item.data)))
        except DicomForgeError as error:
            print(f"error: {error.with_file(item.name)}", file=sys.stderr)
            bad = True
    for row in stow(files, _service(args), args.batch):
        bad |= not row["ok"]
        _print(args, row, f"{row['file']}: {row['message']}")
    return EXIT_BAD_INPUT if bad else EXIT_OK


def _qido(args) -> int:
    from dicomforge.net.dicomweb import qido

    for match in qido(_service(args), _keys(args.key), args.study or ""):
        _show_match(args, match)
    return EXIT_OK


def _wado(args) -> int:
    import io

    import pydicom

    from dicomforge.net.dicomweb import wado

    os.makedirs(args.output, exist_ok=True)
    for data in wado(_service(args), args.study, args.series or ""):
        uid = str(pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True, force=True).get("SOPInstanceUID", ""))
        name = uid if uid.replace(".", "").isdigit() else f"instance_{len(os.listdir(args.output)) + 1}"
        path = os.path.join(args.output, f"{name}.dcm")
        with open(path, "wb") as fh:
            fh.write(data)
        _print(args, {"file": path, "sopInstanceUid": uid}, f"{uid} -> {path}")
    return EXIT_OK


def _guarded(run):
    def guarded(args) -> int:
        try:
            return run(args)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
    return guarded


def _dimse_flags(p, calling: bool = True) -> None:
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--called-aet", default="ANY-SCP", metavar="AET", help="the peer's AE title (default ANY-SCP)")
    p.add_argument("--aet", default="DICOMFORGE", help="our AE title (default DICOMFORGE)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per network step (default 30)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def _web_flags(p) -> None:
    p.add_argument("--url", required=True, help="the DICOMweb service's base URL, e.g. http://host:8042/dicom-web")
    p.add_argument("--authorization", metavar="VALUE", help="Authorization header value (or DICOMWEB_AUTHORIZATION)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per request (default 30)")
    p.add_argument("--retries", type=int, default=3, help="retries of a request answered 5xx or timed out (default 3)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def add_command(sub) -> None:
    p = sub.add_parser("echo", help="C-ECHO a DICOM peer")
    _dimse_flags(p)
    p.set_defaults(run=_guarded(_echo))
    p = sub.add_parser("send", help="C-STORE files to a DICOM peer (per-file status)")
    p.add_argument("files", nargs="+", metavar="FILE")
    _dimse_flags(p)
    p.set_defaults(run=_guarded(_send))
    p = sub.add_parser("find", help="C-FIND studies or series (Study Root)")
    _dimse_flags(p)
    p.add_argument("--level", default="STUDY", choices=("STUDY", "SERIES"))
    p.add_argument("-k", "--key", action="append", metavar="KEYWORD=VALUE", help="a matching key; repeatable")
    p.set_defaults(run=_guarded(_find))
    p = sub.add_parser("listen", help="a Storage SCP writing what it receives to a folder")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--output", "-o", required=True, metavar="DIR")
    p.add_argument("--aet", default="DICOMFORGE", help="our AE title (default DICOMFORGE)")
    p.add_argument("--allow", action="append", metavar="AET", help="a calling AE title to accept; repeatable (default all)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(run=_guarded(_listen))
    p = sub.add_parser("stow", help="STOW-RS files to a DICOMweb service (batched, retried, per-file result)")
    p.add_argument("files", nargs="+", metavar="FILE")
    _web_flags(p)
    p.add_argument("--batch", type=int, default=20, help="instances per request (default 20)")
    p.set_defaults(run=_guarded(_stow))
    p = sub.add_parser("qido", help="QIDO-RS: search studies (or a study's series)")
    _web_flags(p)
    p.add_argument("--study", metavar="UID", help="list this study's series")
    p.add_argument("-k", "--key", action="append", metavar="KEY=VALUE", help="a query parameter; repeatable")
    p.set_defaults(run=_guarded(_qido))
    p = sub.add_parser("wado", help="WADO-RS: retrieve a study or series into a folder")
    _web_flags(p)
    p.add_argument("--study", required=True, metavar="UID")
    p.add_argument("--series", metavar="UID")
    p.add_argument("--output", "-o", required=True, metavar="DIR")
    p.set_defaults(run=_guarded(_wado))
