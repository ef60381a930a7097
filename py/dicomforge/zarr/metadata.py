"""Zarr v3 array metadata (``zarr.json``): read and checked, or written, as the v3 spec has it.

Hand-written because zarr-python needs numpy (no Pyodide wheel is reachable) and asyncio
stores; what a volume needs of the spec is small: a regular chunk grid, the ``default``
or ``v2`` chunk key encoding, a numeric data type, a fill value, and a codec list of
``bytes`` followed by compressors (:mod:`.codecs`). Anything else is refused with a
message naming the store and the key, before a byte of voxels is allocated.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass, field

from dicomforge.errors import UnsupportedError, InputError
from dicomforge.kernels import DTYPES

__all__ = ["ArrayMeta", "parse_node", "array_json", "group_json", "fill_bytes"]

#: Zarr v3 data type names this package reads and writes (numpy's names).
DATA_TYPES = tuple(DTYPES)


@dataclass
class ArrayMeta:
    """One array's metadata, checked.

    Attributes
    ----------
    shape, chunks : tuple of int
        The array's shape and its (regular) chunk shape, C order.
    dtype : str
        numpy's name of the element type.
    fill_value : int or float
    codecs : list of dict
        The codec list as written (``{"name", "configuration"}``), ``bytes`` first.
    separator : str
        The chunk key separator; *prefixed*: ``default`` encoding (``c/0/0``) or ``v2`` (``0.0``).
    attributes : dict
    dimension_names : list or None
    """

    shape: tuple
    chunks: tuple
    dtype: str
    fill_value: object = 0
    codecs: list = field(default_factory=list)
    separator: str = "/"
    prefixed: bool = True
    attributes: dict = field(default_factory=dict)
    dimension_names: list | None = None

    def chunk_key(self, index: tuple) -> str:
        """The store key of chunk *index*, relative to the array."""
        parts = [str(i) for i in index] or ["0"]
        return ("c" + self.separator if self.prefixed else "") + self.separator.join(parts)

    def chunk_grid(self) -> tuple:
        """Chunks along each axis."""
        return tuple(-(-n // c) for n, c in zip(self.shape, self.chunks))


def _problem(where: str, text: str) -> InputError:
    return InputError(f"{where}: {text}")


def parse_node(raw: bytes, where: str) -> dict:
    """The JSON object of a ``zarr.json`` (*where*: the store and key, for messages)."""
    try:
        node = json.loads(bytes(raw).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _problem(where, f"is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise _problem(where, f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError):
        raise _problem(where, "is not valid JSON") from None
    if not isinstance(node, dict):
        raise _problem(where, "is not a JSON object")
    if node.get("zarr_format") != 3:
        raise UnsupportedError(f"{where}: zarr_format is {node.get('zarr_format')!r}: only Zarr v3 stores are read")
    if node.get("node_type") not in ("array", "group"):
        raise _problem(where, f"node_type is {node.get('node_type')!r}, not 'array' or 'group'")
    return node


def _ints(value, what: str, where: str) -> tuple:
    if not isinstance(value, list) or not value or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise _problem(where, f"{what} must be a list of whole numbers, got {value!r}")
    return tuple(value)


def _object(node: dict, key: str, where: str) -> dict:
    """Member *key* of *node*, which must be a JSON object when present ({} when absent)."""
    found = node.get(key)
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise _problem(where, f"{key} must be a JSON object, got {json.dumps(found)[:60]}")
    return found


def _in_range(value: int, dtype: str, where: str) -> int:
    code, size = DTYPES[dtype]
    try:
        struct.pack("<" + code, value)
    except (struct.error, OverflowError):
        raise _problem(where, f"fill_value {value} is out of the range of {dtype}") from None
    return value


def _fill(value, dtype: str, where: str):
    if dtype.startswith("float"):
        named = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        if isinstance(value, str) and value in named:
            return named[value]
        if isinstance(value, str) and value.startswith("0x"):
            try:
                raw = int(value, 16).to_bytes(4 if dtype == "float32" else 8, "big")
                return struct.unpack(">f" if dtype == "float32" else ">d", raw)[0]
            except (ValueError, OverflowError):
                pass
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(value, bool):
        return int(value)
    elif isinstance(value, int):
        return _in_range(value, dtype, where)
    elif isinstance(value, float) and value.is_integer():
        return _in_range(int(value), dtype, where)
    raise _problem(where, f"fill_value {value!r} is not a {dtype} value")


def parse_array(node: dict, where: str) -> ArrayMeta:
    """The :class:`ArrayMeta` of an array node; an error naming *where* for what is not supported."""
    shape = _ints(node.get("shape"), "shape", where)
    if any(n < 0 for n in shape):
        raise _problem(where, f"shape {list(shape)} has a negative size")
    dtype = node.get("data_type")
    if dtype not in DATA_TYPES:
        raise UnsupportedError(f"{where}: data_type {dtype!r} is not supported (supported: {', '.join(DATA_TYPES)})")
    grid = _object(node, "chunk_grid", where)
    if grid.get("name") != "regular":
        raise UnsupportedError(f"{where}: chunk grid {grid.get('name')!r} is not supported (only 'regular')")
    chunks = _ints(_object(grid, "configuration", where).get("chunk_shape"), "chunk_shape", where)
    if len(chunks) != len(shape) or any(c <= 0 for c in chunks):
        raise _problem(where, f"chunk_shape {list(chunks)} does not fit shape {list(shape)}")
    encoding = _object(node, "chunk_key_encoding", where) or {"name": "default"}
    name, config = encoding.get("name"), _object(encoding, "configuration", where)
    if name not in ("default", "v2"):
        raise UnsupportedError(f"{where}: chunk_key_encoding {name!r} is not supported ('default' or 'v2')")
    separator = config.get("separator", "/" if name == "default" else ".")
    if separator not in ("/", "."):
        raise _problem(where, f"chunk key separator {separator!r} is not '/' or '.'")
    if node.get("storage_transformers"):
        raise UnsupportedError(f"{where}: storage transformers are not supported")
    codecs = node.get("codecs")
    if not isinstance(codecs, list) or not all(isinstance(c, dict) and isinstance(c.get("name"), str)
                                               and isinstance(c.get("configuration", {}), dict) for c in codecs):
        raise _problem(where, f"codecs must be a list of {{name, configuration}} objects, got {json.dumps(codecs)[:80]}")
    attributes = node.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise _problem(where, "attributes is not a JSON object")
    names = node.get("dimension_names")
    return ArrayMeta(shape, chunks, dtype, _fill(node.get("fill_value", 0), dtype, where), codecs, separator,
                     name == "default", attributes, names if isinstance(names, list) else None)


def fill_bytes(meta: ArrayMeta, count: int) -> bytes:
    """*count* elements of the fill value, little endian."""
    code, size = DTYPES[meta.dtype]
    if not meta.fill_value:
        if not (isinstance(meta.fill_value, float) and math.copysign(1, meta.fill_value) < 0):
            return bytes(count * size)
    return struct.pack("<" + code, meta.fill_value) * count


def _fill_json(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def array_json(meta: ArrayMeta) -> bytes:
    """``zarr.json`` of an array, as zarr-python writes it (keys in its order)."""
    node = {
        "shape": list(meta.shape),
        "data_type": meta.dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(meta.chunks)}},
        "chunk_key_encoding": {"name": "default" if meta.prefixed else "v2",
                               "configuration": {"separator": meta.separator}},
        "fill_value": _fill_json(meta.fill_value),
        "codecs": meta.codecs,
        "attributes": meta.attributes,
        "zarr_format": 3,
        "node_type": "array",
        "storage_transformers": [],
    }
    if meta.dimension_names:
        node["dimension_names"] = list(meta.dimension_names)
    return json.dumps(node, indent=2, allow_nan=False).encode("utf-8")


def group_json(attributes: dict) -> bytes:
    """``zarr.json`` of a group with *attributes*."""
    node = {"attributes": attributes, "zarr_format": 3, "consolidated_metadata": None, "node_type": "group"}
    return json.dumps(node, indent=2, allow_nan=False).encode("utf-8")
