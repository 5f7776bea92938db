"""Text files and bodies as people save them: UTF-8 with or without a BOM, or UTF-16 with its BOM.

The one decoding of every input capplan reads (the CLI's JSON files, CSV backlogs, HTTP bodies), so a
file Excel or Windows Notepad saved reads the same through every entry point.
"""

from __future__ import annotations

import codecs

from api_schemas.problems import Problem
from solver.intake.errors import InvalidRequestError

#: Byte-order marks and the codec each announces (UTF-32 before UTF-16: its little-endian BOM starts alike).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def encoding_of(data: bytes) -> str:
    """The codec of `data`: the one its byte-order mark names, else UTF-8."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), "utf-8")


def decode_text(data: bytes, source: str) -> str:
    """`data` as text (BOM removed); text that is not UTF-8 or UTF-16/32 with a BOM is a problem naming `source`."""
    codec = encoding_of(data)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        message = (f"{source} is not {codec.upper().replace('-SIG', '')} text (byte {error.start}); save it as "
                   "UTF-8 (with or without a BOM) or UTF-16 with a BOM.")
        raise InvalidRequestError([Problem(loc=[source], code="invalid_encoding", message=message)]) from None
