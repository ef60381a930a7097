"""DICOMweb natively (the standard library's urllib): STOW-RS, QIDO-RS, WADO-RS against one service.

- STOW-RS sends several instances per request (``batch``), retries a request the server answers
  with 5xx, or that times out or loses its connection, with back-off (1, 2, 4 s...), and reads the
  server's answer (PS3.18 10.5.3: Referenced SOP Sequence, Failed SOP Sequence with a Failure
  Reason): a file is reported stored only when the server says it is. A retry sends again only
  the instances not confirmed.
- QIDO-RS searches studies (by patient, date, modality...) or a study's series; WADO-RS fetches a
  study or series (multipart/related of application/dicom parts, :mod:`.multipart`).

The Authorization value is sent and never written anywhere (not in errors, not in results);
redirects to another origin are refused.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable, Iterator

from dicomforge.errors import DicomForgeError, OptionsError

from .multipart import related_body, related_parts

__all__ = ["Service", "stow", "qido", "wado"]

_REFERENCED, _FAILED = "00081199", "00081198"
_SOP_INSTANCE, _FAILURE = "00081155", "00081197"


@dataclass(frozen=True)
class Service:
    """A DICOMweb service: its base *url* (``http://host/dicom-web``), an Authorization value
    (kept in memory only), a *timeout* per request (s), and how many *retries* a request gets."""

    url: str
    authorization: str | None = None
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0

    def check(self) -> None:
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise OptionsError(f"the DICOMweb URL must be http(s)://host[:port]/path, got {self.url[:80]!r}")
        if not self.timeout > 0 or self.retries < 0:
            raise OptionsError(f"timeout must be positive and retries 0 or more, got {self.timeout} and {self.retries}")

    def endpoint(self, path: str, query: dict | None = None) -> str:
        base = self.url.rstrip("/") + "/" + path.lstrip("/")
        return base + ("?" + urllib.parse.urlencode(query, doseq=True) if query else "")


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the origin asked (a server cannot send us elsewhere)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            raise DicomForgeError(f"the server redirected to another origin ({new.scheme}://{new.netloc}): refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOrigin)


class _Transient(Exception):
    """A failure worth retrying (5xx, timeout, connection lost); ``reason`` in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _request(service: Service, method: str, url: str, body=None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request: ``(status, headers, body)``; _Transient for what a retry may cure, a
    DicomForgeError in words (never with the Authorization value) for the rest."""
    sent = dict(headers or {})
    if service.authorization:
        sent["Authorization"] = service.authorization
    request = urllib.request.Request(url, data=body, method=method, headers=sent)
    try:
        with _OPENER.open(request, timeout=service.timeout) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise _Transient(f"the server answered {error.code} {error.reason}") from None
        try:
            payload = error.read() if error.fp else b""
        except (OSError, http.client.HTTPException):
            payload = b""
        return error.code, {k.lower(): v for k, v in error.headers.items()}, payload
    except (TimeoutError, socket.timeout):
        raise _Transient(f"no answer within {service.timeout:g} s") from None
    except http.client.HTTPException:  # (an answer cut short, a garbled status line)
        raise _Transient("the answer was cut short or garbled") from None
    except (ConnectionError, urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise _Transient(f"the connection failed ({reason})") from None


def _with_retries(service: Service, call: Callable[[], tuple], sleep=time.sleep):
    """*call* until it is not transient or the retries are spent (back-off doubling)."""
    for attempt in range(service.retries + 1):
        try:
            return call()
        except _Transient as problem:
            if attempt == service.retries:
                raise DicomForgeError(f"{problem.reason} ({service.retries + 1} attempts)") from None
            sleep(service.backoff * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _first(element) -> object:
    """The first value of a DICOM JSON element (None when it has none or is malformed)."""
    values = element.get("Value") if isinstance(element, dict) else None
    return values[0] if isinstance(values, list) and values else None


def _uids(answer: dict, key: str) -> dict:
    """SOP Instance UID -> failure reason (0 for stored ones) of one sequence of a STOW answer;
    what is malformed in it is left out (a file it does not name is not confirmed)."""
    sequence = answer.get(key)
    items = sequence.get("Value") if isinstance(sequence, dict) else None
    found = {}
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        uid, reason = _first(item.get(_SOP_INSTANCE)), _first(item.get(_FAILURE))
        try:
            reason = int(float(reason)) if reason is not None else 0
        except (TypeError, ValueError):
            reason = 0
        if isinstance(uid, str) and uid:
            found[uid] = reason
    return found


def stow(files: list[tuple[str, str, bytes]], service: Service, batch: int = 20, study: str = "",
         sleep=time.sleep) -> Iterator[dict]:
    """STOW-RS *files* (``(name, SOP Instance UID, Part 10 bytes)``) in requests of *batch*: one
    ``{file, sopInstanceUid, ok, status, message}`` per file, ``ok`` only when the server's
    answer lists it as stored."""
    service.check()
    if batch < 1:
        raise OptionsError(f"batch must be 1 or more instances per request, got {batch}")
    url = service.endpoint(f"studies/{study}" if study else "studies")
    for start in range(0, len(files), max(1, batch)):
        group = files[start : start + batch]
        content_type, pieces = related_body([data for _, _, data in group])
        body = b"".join(pieces)
        headers = {"Content-Type": content_type, "Accept": "application/dicom+json"}
        try:
            status, _, payload = _with_retries(service, lambda: _request(service, "POST", url, body, headers), sleep)
        except DicomForgeError as error:
            yield from ({"file": n, "sopInstanceUid": u, "ok": False, "status": None, "message": f"not stored: {error.message}"}
                        for n, u, _ in group)
            continue
        try:
            answer = json.loads(payload.decode("utf-8")) if payload.strip() else {}
            answer = answer if isinstance(answer, dict) else {}
        except (UnicodeDecodeError, ValueError):
            answer = {}
        stored, failed = _uids(answer, _REFERENCED), _uids(answer, _FAILED)
        for name, uid, _ in group:
            if uid in stored and status in (200, 202):
                yield {"file": name, "sopInstanceUid": uid, "ok": True, "status": status, "message": "stored"}
            elif uid in failed:
                yield {"file": name, "sopInstanceUid": uid, "ok": False, "status": status,
                       "message": f"refused by the server (failure reason 0x{failed[uid]:04X})"}
            else:
                yield {"file": name, "sopInstanceUid": uid, "ok": False, "status": status,
                       "message": f"not confirmed by the server (HTTP {status})"}


def qido(service: Service, query: dict, study: str = "") -> list[dict]:
    """QIDO-RS: the studies matching *query* (or, with *study*, that study's series), DICOM JSON."""
    service.check()
    url = service.endpoint(f"studies/{study}/series" if study else "studies", query)
    status, _, payload = _with_retries(service, lambda: _request(service, "GET", url, headers={"Accept": "application/dicom+json"}))
    if status == 204:
        return []
    if status != 200:
        raise DicomForgeError(f"the search failed: HTTP {status}")
    if not payload.strip():
        return []
    try:
        found = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DicomForgeError("the server's search answer is not JSON") from None
    if not isinstance(found, list) or not all(isinstance(i, dict) for i in found):
        raise DicomForgeError("the server's search answer is not a list of DICOM JSON objects")
    return found


def wado(service: Service, study: str, series: str = "") -> list[bytes]:
    """WADO-RS: every instance of *study* (or of one *series*) as Part 10 bytes."""
    service.check()
    url = service.endpoint(f"studies/{study}/series/{series}" if series else f"studies/{study}")
    headers = {"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'}
    status, answer_headers, payload = _with_retries(service, lambda: _request(service, "GET", url, headers=headers))
    if status != 200:
        raise DicomForgeError(f"the retrieve failed: HTTP {status}")
    return [content for _, content in related_parts(payload, answer_headers.get("content-type", ""))]
