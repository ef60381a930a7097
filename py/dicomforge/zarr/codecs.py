"""The Zarr v3 codec pipeline of one array: ``bytes`` (endianness) then zstd, Blosc or gzip.

zstd is the standard library's ``compression.zstd`` (Python 3.14, hence Pyodide) or its
backport on older Pythons (``backports.zstd``, the same API). Blosc is :mod:`.blosc`.
Every decoder is bounded by the chunk's size: a chunk that inflates beyond it, or
falls short of it, is an error naming the chunk, never a bigger allocation.
"""

from __future__ import annotations

import zlib

from dicomforge import kernels
from dicomforge.errors import InputError, UnsupportedError, plain_reason

from . import blosc

from ._zstd import zstd

__all__ = ["Pipeline", "zstd", "COMPRESSORS", "codec_list"]

#: What the ``compressor`` option of the zarr job takes.
COMPRESSORS = ("zstd", "blosc", "gzip", "none")
SHUFFLES = ("noshuffle", "shuffle", "bitshuffle")


def codec_list(dtype: str, compressor: str = "zstd", level: int = 1, shuffle: str = "bitshuffle") -> list:
    """The ``codecs`` of an array we write: ``bytes`` little endian, then the compressor."""
    codecs = [{"name": "bytes", "configuration": {"endian": "little"}}]
    if compressor == "zstd":
        codecs.append({"name": "zstd", "configuration": {"level": level, "checksum": False}})
    elif compressor == "blosc":
        codecs.append({"name": "blosc", "configuration": {
            "typesize": kernels.itemsize(dtype), "cname": "zstd", "clevel": level, "shuffle": shuffle, "blocksize": 0}})
    elif compressor == "gzip":
        codecs.append({"name": "gzip", "configuration": {"level": level}})
    return codecs


class Pipeline:
    """Encode and decode the chunks of one array by its codec list.

    Parameters
    ----------
    codecs : list of dict
        The array's ``codecs``.
    dtype : str
    where : str
        The store and array, for messages.
    """

    def __init__(self, codecs: list, dtype: str, where: str) -> None:
        self.dtype, self.where = dtype, where
        self._zstd = None
        names = [c.get("name") for c in codecs]
        if "bytes" not in names:
            raise UnsupportedError(f"{where}: the codecs {names} have no 'bytes' codec")
        first = names.index("bytes")
        if first:
            raise UnsupportedError(f"{where}: codec(s) {names[:first]} before 'bytes' are not supported")
        config = codecs[0].get("configuration") or {}
        endian = config.get("endian", "little")
        if endian not in ("little", "big"):
            raise InputError(f"{where}: bytes codec endian {endian!r} is not 'little' or 'big'")
        self.big_endian = endian == "big" and kernels.itemsize(dtype) > 1
        self.steps = []
        for codec in codecs[1:]:
            name, options = codec.get("name"), codec.get("configuration") or {}
            if name == "blosc":
                self.steps.append(("blosc", options))
            elif name in ("zstd", "gzip"):
                self.steps.append((name, options))
            else:
                raise UnsupportedError(f"{where}: codec {name!r} is not supported (supported: bytes, zstd, blosc, gzip)")

    def decode(self, raw, nbytes: int, key: str) -> bytes:
        """The *nbytes* little-endian bytes of chunk *key* from its stored bytes."""
        data = raw
        try:
            for name, options in reversed(self.steps):
                if name == "zstd":
                    engine = zstd.ZstdDecompressor()
                    data = engine.decompress(bytes(data), max_length=nbytes + 1)
                elif name == "gzip":
                    data = zlib.decompressobj(47).decompress(bytes(data), nbytes + 1)
                else:
                    data = blosc.decode(bytes(data), nbytes + 1)
        except (zstd.ZstdError, zlib.error, ValueError, EOFError) as exc:
            raise InputError(f"chunk {key} does not decompress ({plain_reason(exc)})") from None
        if len(data) != nbytes:
            raise InputError(f"chunk {key} holds {len(data)} bytes, its shape needs {nbytes}")
        return kernels.byteswap(data, kernels.itemsize(self.dtype)) if self.big_endian else data

    def encode(self, data) -> bytes:
        """The stored bytes of a chunk of little-endian *data*."""
        if self.big_endian:
            data = kernels.byteswap(data, kernels.itemsize(self.dtype))
        for name, options in self.steps:
            if name == "zstd":  # (one compressor for every chunk: a context made once, 10% faster in wasm)
                if self._zstd is None:
                    self._zstd = zstd.ZstdCompressor(level=int(options.get("level", 0)))
                data = self._zstd.compress(data, mode=zstd.ZstdCompressor.FLUSH_FRAME)
            elif name == "gzip":
                engine = zlib.compressobj(int(options.get("level", 6)), zlib.DEFLATED, 31)
                data = engine.compress(bytes(data)) + engine.flush()
            else:
                shuffle = options.get("shuffle", "noshuffle")
                if shuffle not in SHUFFLES or options.get("cname", "zstd") != "zstd":
                    raise UnsupportedError(f"{self.where}: Blosc {options.get('cname')}/{shuffle} cannot be written (zstd only)")
                data = blosc.encode(bytes(data), int(options.get("typesize", 1)), int(options.get("clevel", 5)), shuffle)
        return data
