"""Helpers of the networking tests: a free local port, and what Orthanc stored (its REST API)."""

from __future__ import annotations

import json
import socket
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def orthanc_files(base: str) -> dict:
    """SOP Instance UID -> the bytes Orthanc returns for each stored instance (its REST API)."""
    out = {}
    for identifier in json.load(urllib.request.urlopen(base + "/instances")):
        tags = json.load(urllib.request.urlopen(f"{base}/instances/{identifier}/simplified-tags"))
        out[tags["SOPInstanceUID"]] = urllib.request.urlopen(f"{base}/instances/{identifier}/file").read()
    return out
