"""Fetch the pinned Pyodide wheels into public/wheels/ and check their sha256.

Reads the one pinned list, web/worker/wheels.lock.json. Each wheel already
present with the right hash is left alone (so `make dev` is quick when nothing is
missing); a missing or mismatching one is downloaded with
``pip download --only-binary=:all: --python-version 3.14 --no-deps`` and checked.
Exit 1 with a message naming the wheel when a hash does not match.

Runtime wheels go to public/wheels/ (served by the page); test wheels (pytest
and its dependencies, for the Pyodide test run under Node) to .cache/wheels-test/.

Usage: python py/tools/fetch_wheels.py [--group runtime test]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "web" / "worker" / "wheels.lock.json"
DESTINATIONS = {"runtime": ROOT / "public" / "wheels", "test": ROOT / ".cache" / "wheels-test"}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(pins: list[dict], dest: Path, python: str) -> list[str]:
    """Download every pin not already present with its hash; return the problems."""
    missing = [p for p in pins if not (dest / p["file"]).is_file() or sha256_of(dest / p["file"]) != p["sha256"]]
    if not missing:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--only-binary=:all:", "--python-version", python, "--no-deps", "-d", tmp,
            *[f"{p['name']}=={p['version']}" for p in missing],
        ]
        print(f"fetching {len(missing)} wheel(s): {', '.join(p['file'] for p in missing)}")
        subprocess.run(cmd, check=True)
        problems = []
        for pin in missing:
            got = Path(tmp) / pin["file"]
            if not got.is_file():
                problems.append(f"wheel {pin['file']} was not downloaded by pip")
                continue
            digest = sha256_of(got)
            if digest != pin["sha256"]:
                problems.append(f"wheel {pin['file']} has sha256 {digest}, pinned {pin['sha256']}")
                continue
            os.replace(got, dest / pin["file"])
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", nargs="+", choices=sorted(DESTINATIONS), default=sorted(DESTINATIONS))
    args = parser.parse_args()
    lock = json.loads(LOCK.read_text())
    problems = []
    for group in args.group:
        dest = DESTINATIONS[group]
        dest.mkdir(parents=True, exist_ok=True)
        problems += fetch(lock[group], dest, lock["python"])
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
