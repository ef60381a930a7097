"""Byte-compile Python for Pyodide at build time, inside Pyodide itself (run by precompile.mjs).

Why: Pyodide's npm package ships the standard library and wheels as .py sources, so
every cold start compiles each imported module again (about 4 s for the stdlib and
2 s for pydicom here). Compiling once at build time, with the very interpreter that
will load the result (so the magic number matches), removes that work from start-up.
The .pyc files are unchecked hash-based pycs (PEP 552): valid whatever the file
mtimes, and the sources stay beside them for tracebacks.
"""

from __future__ import annotations

import importlib.util
import site
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

CACHE_TAG = sys.implementation.cache_tag
FIXED_DATE = (2026, 1, 1, 0, 0, 0)  # reproducible archive bytes


def _pyc(source: bytes, filename: str) -> bytes:
    code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def _pycache_name(member: str) -> str:
    folder, _, name = member.rpartition("/")
    cached = f"__pycache__/{name[:-3]}.{CACHE_TAG}.pyc"
    return f"{folder}/{cached}" if folder else cached


def stdlib_zip(src: str, out: str, mount: str) -> int:
    """Copy the stdlib zip, adding ``name.pyc`` beside each ``name.py`` (zipimport's layout)."""
    count = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data, zipfile.ZIP_DEFLATED)
            if info.filename.endswith(".py"):
                pyc = zipfile.ZipInfo(info.filename + "c", date_time=info.date_time)
                zout.writestr(pyc, _pyc(data, f"{mount}/{info.filename}"), zipfile.ZIP_DEFLATED)
                count += 1
    return count


def wheels_pycache_zip(wheels: list[str], out: str) -> int:
    """A zip of ``__pycache__`` entries for every module of the wheels, as installed in site-packages."""
    target = site.getsitepackages()[0]
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zin:
                for member in zin.namelist():
                    if member.endswith(".py"):
                        pyc = _pyc(zin.read(member), f"{target}/{member}")
                        zout.writestr(zipfile.ZipInfo(_pycache_name(member), FIXED_DATE), pyc, zipfile.ZIP_DEFLATED)
                        count += 1
    return count


def package_zip(sources: dict[str, bytes], out: str, mount: str) -> int:
    """Zip a package's sources (name -> bytes) with ``name.pyc`` beside each module, for zipimport from
    *mount* (the worker puts the archive on sys.path as it is: nothing is unpacked)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for member in sorted(sources):
            data = bytes(sources[member])
            zout.writestr(zipfile.ZipInfo(member, FIXED_DATE), data, zipfile.ZIP_DEFLATED)
            if not member.endswith(".py"):
                continue  # (package data: the de-identification profile's table)
            pyc = _pyc(data, f"{mount}/{member}")
            zout.writestr(zipfile.ZipInfo(member + "c", FIXED_DATE), pyc, zipfile.ZIP_DEFLATED)
    return len(sources)
