"""Compressed frames: one decoding interface, served by the codecs the host provides.

Python asks for a frame's samples with :func:`decode_fragment`; who decodes it depends
on where we run:

- natively, the libraries pydicom's pixel handlers use: Pillow's libjpeg-turbo for 8-bit
  JPEG, ``pylibjpeg-libjpeg`` for 12-bit JPEG, JPEG Lossless and JPEG-LS,
  ``pylibjpeg-openjpeg`` for JPEG 2000 and HTJ2K; found on first use (:mod:`.native_codecs`);
- in the browser worker, the Cornerstone WebAssembly codecs, loaded by the worker when
  an input needs them (:func:`wanted` says which) and handed in with :func:`register`;
- RLE Lossless everywhere by :mod:`.rle` (the standard library is enough).

A decoder is a callable ``decode(fragment, out, rows, columns, samples, bits_allocated,
signed, photometric) -> str``: it decodes one frame's codestream *fragment* (bytes) into
*out*, a bytearray of exactly ``rows * columns * samples * bytes`` (samples interleaved,
each of ``bits_allocated // 8`` bytes, little endian), and returns the photometric
interpretation of what it wrote ("RGB" when the codec converted colour, "" when it did
not change the file's *photometric*). Colour JPEG the file calls RGB is taken as it is
(no YCbCr conversion) unless its codestream has an Adobe marker, as pydicom does.
It raises any exception for a damaged codestream: it becomes an :class:`InputError`
naming the frame and the transfer syntax; ``NotImplementedError`` (or an exception
named ``UnsupportedCodestream``) for a codestream it cannot handle: an
:class:`UnsupportedError`.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from dicomforge.errors import InputError, UnsupportedError, plain_reason
from dicomforge.limits import PLATFORM_MAX_BYTES

from .tags import RLE_LOSSLESS

__all__ = [
    "FAMILIES",
    "ENCAPSULATED",
    "family_of",
    "syntax_name",
    "register",
    "wanted",
    "wanted_by",
    "decoder_for",
    "decode_fragment",
]

Decoder = Callable[[bytes, bytearray, int, int, int, int, bool, str], str]

#: Codec family -> the transfer syntaxes it decodes (PS3.5 A.4, A.4.11 for HTJ2K).
FAMILIES = {
    "jpeg": ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"),
    "jpeg-lossless": ("1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"),
    "jpeg-ls": ("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"),
    "jpeg2000": ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"),
    "htj2k": ("1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203"),
    "rle": (RLE_LOSSLESS,),
}
_FAMILY = {syntax: family for family, syntaxes in FAMILIES.items() for syntax in syntaxes}

#: Every transfer syntax whose Pixel Data is a sequence of fragments we can decode.
ENCAPSULATED = frozenset(_FAMILY)

_registered: dict[str, Decoder] = {}
_native: dict[str, Decoder | None] = {}


def family_of(syntax: str) -> str | None:
    """The codec family that decodes *syntax* ("jpeg2000", ...), None for others."""
    return _FAMILY.get(str(syntax))


def syntax_name(syntax: str) -> str:
    """The transfer syntax's name as the standard gives it, else its UID."""
    from pydicom.uid import UID

    uid = UID(str(syntax))
    return f"{uid.name}" if uid.is_transfer_syntax else str(syntax)


def register(family: str, decode: Decoder) -> None:
    """Decode *family*'s frames with *decode* from now on (the worker's codecs)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown codec family {family!r} (one of {', '.join(FAMILIES)})")
    _registered[family] = decode


def wanted(syntaxes: Iterable[str]) -> list[str]:
    """The codec families *syntaxes* need that nobody serves yet, in a stable order."""
    families = {family_of(s) for s in syntaxes} - {None, "rle"}
    return sorted(f for f in families if decoder_for(FAMILIES[f][0]) is None)


def wanted_by(items) -> list[str]:
    """:func:`wanted` for the transfer syntaxes of DICOM inputs *items* (file meta only)."""
    from .scan import transfer_syntax_of

    return wanted(filter(None, (transfer_syntax_of(item) for item in items)))


def decoder_for(syntax: str) -> Decoder | None:
    """The decoder for *syntax*: a registered one, else a native one, else None."""
    family = family_of(syntax)
    if family is None:
        return None
    if family in _registered:
        return _registered[family]
    if family not in _native:
        from .native_codecs import native_decoder

        _native[family] = native_decoder(family)
    return _native[family]


def decode_fragment(syntax: str, fragment: bytes, frame: int, rows: int, columns: int, samples: int,
                    bits_allocated: int, signed: bool, photometric: str) -> tuple[bytearray, str]:
    """Frame *frame*'s samples from its codestream: ``(bytes, photometric after decoding)``.

    Raises
    ------
    UnsupportedError
        No codec here for *syntax* (named, with what to install natively), or a codestream
        form its codec cannot read.
    InputError
        The codestream is damaged or does not match the header (frame and syntax named), or
        the frame the header describes is larger than this platform can hold.
    """
    decode = decoder_for(syntax)
    name = syntax_name(syntax)
    if decode is None:
        if family_of(syntax) is None:
            raise UnsupportedError(f"cannot decode {name} ({syntax}): no codec for this transfer syntax")
        raise UnsupportedError(
            f"cannot decode {name}: its codec is not available here "
            "(the page loads it from its server; the command line needs: pip install dicomforge[codecs])"
        )
    size = rows * columns * samples * max(bits_allocated // 8, 1)
    if size > PLATFORM_MAX_BYTES:
        raise InputError(f"frame {frame} ({name}) would decode to {size} bytes ({columns}x{rows}, {samples} sample(s) of "
                         f"{bits_allocated} bits), more than one buffer holds here ({PLATFORM_MAX_BYTES})")
    try:
        out = bytearray(size)
    except MemoryError:
        raise InputError(f"frame {frame} ({name}) would decode to {size} bytes: there is not that much memory free") from None
    try:
        decoded_as = decode(bytes(fragment), out, rows, columns, samples, bits_allocated, bool(signed), photometric)
    except Exception as exc:  # a codec reports a damaged codestream in its own words and types
        if isinstance(exc, NotImplementedError) or getattr(exc, "name", "") == "UnsupportedCodestream":
            raise UnsupportedError(f"frame {frame} ({name}) cannot be decoded: {_codec_reason(exc)}") from None
        raise InputError(f"frame {frame} ({name}) cannot be decoded: {_codec_reason(exc)}") from None
    return out, str(decoded_as or "")


_TRAPS = ("unreachable", "memory access out of bounds", "Aborted", "RuntimeError", "abort(", "TypeError", "RangeError",
          "Cannot read properties")


def _codec_reason(exc: BaseException) -> str:
    """A codec's own explanation without its error codes; a WebAssembly trap in words."""
    lines = str(exc).strip().splitlines()
    text = lines[0].strip() if lines else ""
    if not text or any(trap in text for trap in _TRAPS) and "returned from" not in text:
        return "the codestream is damaged (the codec stopped on it)"
    if type(exc).__module__ == "builtins" and not isinstance(exc, (RuntimeError, ValueError)):
        return plain_reason(exc)
    text = re.sub(r"^.*returned from \w+\(\): ", "", text)  # pylibjpeg's "libjpeg error code '-1038' ..."
    return re.sub(r"^(Error|JsException|RuntimeError|UnsupportedCodestream): ", "", text)
