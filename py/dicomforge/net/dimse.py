"""DIMSE with pynetdicom (native only: it needs sockets): C-ECHO, C-STORE, C-FIND and a Storage SCP.

Every operation has a timeout (association, DIMSE and network), gives a typed result (what the
peer said, in words and as the status number) and never raises for what the peer does: a
refused association, an abort or a timeout is a result with ``ok`` False. Ctrl-C aborts an
open association cleanly (A-ABORT) before it propagates.

Presentation contexts of C-STORE come from the files themselves: each file's SOP class with
its own transfer syntax (and Explicit VR Little Endian as the fallback the peer may prefer),
so compressed files go out as they are.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Callable, Iterator

from dicomforge.errors import DicomForgeError, OptionsError
from dicomforge.inputs import NamedInput

__all__ = ["Peer", "echo", "send", "find", "listen", "status_text"]

_EXPLICIT, _IMPLICIT = "1.2.840.10008.1.2.1", "1.2.840.10008.1.2"


@dataclass(frozen=True)
class Peer:
    """Who we talk to: *host*, *port*, their AE title (*called*), ours (*calling*), *timeout* s."""

    host: str
    port: int
    called: str = "ANY-SCP"
    calling: str = "DICOMFORGE"
    timeout: float = 30.0

    def check(self) -> None:
        problems = []
        if not self.host:
            problems.append("give the peer's host (--host)")
        if not 0 < self.port < 65536:
            problems.append(f"port must be 1-65535, got {self.port}")
        for name, title in (("called AE title", self.called), ("calling AE title", self.calling)):
            if not 0 < len(title) <= 16 or "\\" in title:
                problems.append(f"{name} {title!r} must be 1-16 characters without '\\'")
        if not self.timeout > 0:
            problems.append(f"timeout must be positive, got {self.timeout}")
        if problems:
            raise OptionsError("; ".join(problems))


def status_text(status: int | None) -> str:
    """A DIMSE status in words (PS3.7 C, the common ones)."""
    if status is None:
        return "no response"
    known = {0x0000: "success", 0xA700: "out of resources", 0xA900: "data set does not match SOP class",
             0xC000: "cannot understand", 0x0122: "SOP class not supported", 0x0124: "not authorised",
             0xB000: "coercion of data elements", 0xB007: "data set does not match SOP class (warning)",
             0xB006: "elements discarded", 0xFE00: "cancelled", 0x0211: "unrecognised operation",
             0xA801: "move destination unknown", 0xFF00: "pending", 0xFF01: "pending (optional keys not supported)"}
    if status in known:
        return known[status]
    if status & 0xF000 == 0xA000 or status & 0xF000 == 0xC000:
        return "failure"
    return "warning" if status & 0xF000 == 0xB000 else f"status 0x{status:04X}"


def _ae(peer: Peer):
    import logging

    from pynetdicom import AE

    logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)  # (our results say what went wrong, in words)

    ae = AE(ae_title=peer.calling)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = peer.timeout
    ae.connection_timeout = peer.timeout
    return ae


def _associate(ae, peer: Peer):
    assoc = ae.associate(peer.host, peer.port, ae_title=peer.called)
    if not assoc.is_established:
        why = ("was rejected (is our AE title allowed there?)" if assoc.is_rejected
               else "could not be opened (nothing answered, or the peer aborted it)")
        raise DicomForgeError(f"the association with {peer.called}@{peer.host}:{peer.port} {why}")
    return assoc


def _released(assoc) -> None:
    if assoc.is_established:
        assoc.release()


def echo(peer: Peer) -> dict:
    """C-ECHO: ``{ok, status, message}``."""
    from pynetdicom.sop_class import Verification

    peer.check()
    ae = _ae(peer)
    ae.add_requested_context(Verification)
    try:
        assoc = _associate(ae, peer)
    except DicomForgeError as error:
        return {"ok": False, "status": None, "message": error.message}
    try:
        answer = assoc.send_c_echo()
        status = int(answer.Status) if "Status" in answer else None
    except KeyboardInterrupt:
        assoc.abort()
        raise
    finally:
        _released(assoc)
    return {"ok": status == 0, "status": status, "message": status_text(status)}


@dataclass
class _File:
    item: NamedInput
    sop_class: str = ""
    sop_uid: str = ""
    syntax: str = ""
    problem: str = ""


def _describe(item: NamedInput) -> _File:
    from dicomforge.dicom.scan import scan, transfer_syntax_of
    from dicomforge.dicom import tags

    found = _File(item)
    try:
        header = scan(item, header_only=True)
        found.sop_class = header.text(tags.SOP_CLASS_UID) or ""
        found.sop_uid = header.text(tags.SOP_INSTANCE_UID) or ""
        found.syntax = transfer_syntax_of(item) or ""
        if not (found.sop_class and found.sop_uid and found.syntax):
            found.problem = "not a Part 10 DICOM file with a SOP Class, SOP Instance and Transfer Syntax UID"
    except DicomForgeError as error:
        found.problem = error.message
    return found


def send(items: list[NamedInput], peer: Peer) -> Iterator[dict]:
    """C-STORE each file: one ``{file, ok, status, message, sopInstanceUid}`` per input, in input
    order. Files that are not DICOM are results too (``ok`` False), the others are still sent; when
    the association is lost, every file not sent yet gets a result saying so."""
    import pydicom

    peer.check()
    files = [_describe(i) for i in items]
    good = [f for f in files if not f.problem]
    assoc, lost = None, ""
    if good:
        ae = _ae(peer)
        for sop_class in sorted({f.sop_class for f in good})[:128]:
            syntaxes = sorted({f.syntax for f in good if f.sop_class == sop_class} | {_EXPLICIT, _IMPLICIT})
            ae.add_requested_context(sop_class, syntaxes)
        try:
            assoc = _associate(ae, peer)
        except DicomForgeError as error:
            lost = error.message
    try:
        for f in files:
            row = {"file": f.item.name, "ok": False, "status": None, "sopInstanceUid": f.sop_uid}
            if f.problem:
                yield {**row, "message": f.problem}
                continue
            if lost or assoc is None or not assoc.is_established:
                yield {**row, "message": f"not sent: {lost or 'the association was lost'}"}
                continue
            try:
                answer = assoc.send_c_store(pydicom.dcmread(io.BytesIO(f.item.data)))
                status = int(answer.Status) if "Status" in answer else None
                ok = status is not None and (status == 0 or status & 0xF000 == 0xB000)
                yield {**row, "ok": ok, "status": status, "message": status_text(status)}
            except (ValueError, RuntimeError, AttributeError) as exc:  # no accepted context, a broken file
                yield {**row, "message": f"not sent: {exc}"}
    except KeyboardInterrupt:
        if assoc is not None:
            assoc.abort()
        raise
    finally:
        if assoc is not None:
            _released(assoc)


FIND_LEVELS = ("STUDY", "SERIES")


def find(peer: Peer, level: str, keys: dict) -> list[dict]:
    """C-FIND (Study Root) at *level* with matching *keys* (keyword -> value); the identifiers
    the peer returned, in the DICOM JSON model. A failure is a DicomForgeError in words."""
    from pydicom.dataset import Dataset
    from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind

    peer.check()
    level = level.upper()
    if level not in FIND_LEVELS:
        raise OptionsError(f"level must be STUDY or SERIES, got {level!r}")
    query = Dataset()
    query.QueryRetrieveLevel = level
    returned = ["StudyInstanceUID", "PatientName", "PatientID", "StudyDate", "StudyDescription", "ModalitiesInStudy"]
    if level == "SERIES":
        returned = ["StudyInstanceUID", "SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription"]
    for keyword in returned:
        setattr(query, keyword, "")
    from pydicom.datadict import tag_for_keyword

    for keyword, value in keys.items():
        if tag_for_keyword(keyword) is None:
            raise OptionsError(f"query key {keyword!r} is not a DICOM keyword (e.g. PatientID, StudyDate)")
        try:
            setattr(query, keyword, value)
        except (ValueError, TypeError) as exc:
            raise OptionsError(f"query key {keyword}={value!r}: {exc}") from None
    ae = _ae(peer)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelFind)
    assoc = _associate(ae, peer)
    found = []
    try:
        for status, identifier in assoc.send_c_find(query, StudyRootQueryRetrieveInformationModelFind):
            code = int(status.Status) if status and "Status" in status else None
            if code is None:
                raise DicomForgeError("the C-FIND got no answer (timeout or abort)")
            if code in (0xFF00, 0xFF01) and identifier is not None:
                found.append(identifier.to_json_dict())
            elif code != 0:
                raise DicomForgeError(f"the C-FIND failed: {status_text(code)} (0x{code:04X})")
    except KeyboardInterrupt:
        assoc.abort()
        raise
    finally:
        _released(assoc)
    return found


def listen(port: int, folder: str, calling: str = "DICOMFORGE", allowed: list | None = None,
           on_file: Callable[[dict], None] | None = None, stop: Callable[[], bool] | None = None) -> None:
    """A Storage SCP on *port* (and C-ECHO): each instance received is written to *folder* as
    ``<SOP Instance UID>.dcm`` exactly as it came (its data set bytes as received, with a file
    meta header); *allowed*: the calling AE titles accepted (all when empty). Runs until
    Ctrl-C (or until *stop* returns True); *on_file* gets ``{file, sopInstanceUid, caller}``."""
    import time

    from pynetdicom import AE, AllStoragePresentationContexts, evt
    from pynetdicom.sop_class import Verification

    if not 0 < port < 65536:
        raise OptionsError(f"port must be 1-65535, got {port}")
    os.makedirs(folder, exist_ok=True)
    ae = AE(ae_title=calling)
    ae.supported_contexts = AllStoragePresentationContexts
    ae.add_supported_context(Verification)
    if allowed:
        ae.require_calling_aet = list(allowed)

    def stored(event) -> int:
        uid = str(event.request.AffectedSOPInstanceUID)
        if not uid.replace(".", "").isdigit():
            return 0xC000
        path = os.path.join(folder, f"{uid}.dcm")
        with open(path, "wb") as fh:
            fh.write(event.encoded_dataset(include_meta=True))
        if on_file is not None:
            on_file({"file": path, "sopInstanceUid": uid, "caller": event.assoc.requestor.ae_title})
        return 0x0000

    server = ae.start_server(("", port), block=False, evt_handlers=[(evt.EVT_C_STORE, stored)])
    try:
        while not (stop and stop()):
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
