"""The end of the table generators (profile_table.py, safe_private_table.py): the table written
only when nothing stopped it, every problem named otherwise."""

from __future__ import annotations

import sys
from pathlib import Path


def write_table(out: Path, text: str, problems: list[str]) -> int:
    """Write *text* to *out* and say how many rows it has (0), or name *problems* and write nothing (1)."""
    if problems:
        print("\n".join(["not written:", *problems]), file=sys.stderr)
        return 1
    out.write_text(text, encoding="utf-8", newline="\n")
    rows = sum(1 for line in text.splitlines() if not line.startswith("#")) - 1
    print(f"{out}: {rows} rows", file=sys.stderr)
    return 0
