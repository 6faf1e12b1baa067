"""The file's edge: bytes in, text to parse; new text out, bytes in the file's own style.

Decided once, at the edge, like tomlkit's ``TOMLFile``:

* UTF-8 only (anything else is one line naming the line of the first bad byte);
* a UTF-8 byte-order mark is removed and reported (botocore and the AWS CLI cannot read a file
  that has one: removing it repairs the file for them);
* line endings stay as they are: the text is parsed with its ``\\r\\n``; when every line ends
  in CRLF, lines ssogen adds get CRLF too; a carriage return alone (old Mac) is refused;
* a missing final line break stays missing unless ssogen appends sections after that line.
"""

from __future__ import annotations

import re

from ssogen.errors import ConfigFileError
from ssogen.records import record

BOM = "\ufeff"


@record(frozen=True)
class Decoded:
    text: str  # what is parsed: no BOM, a final line break added when missing
    original: str  # the decoded file as it is (BOM included), for the diff
    bom: bool
    crlf: bool  # every line ends in CRLF: new lines get CRLF too
    final_newline: bool
    eol: str

    @property
    def without_bom(self) -> str:
        return self.original[1:] if self.bom else self.original


EMPTY = Decoded("", "", False, False, True, "\n")


def decode(raw: bytes | None, source: str) -> Decoded:
    """``raw`` (None: no file yet) as text to parse; ConfigFileError for what cannot be."""
    if raw is None:
        return EMPTY
    try:
        original = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigFileError(
            f"{source}:{line}: not UTF-8 text (bad byte at offset {exc.start}); "
            "ssogen left the file untouched") from None
    text = original
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    lf = text.count("\n")
    crlf = lf > 0 and text.count("\r\n") == lf
    if text.count("\r") != text.count("\r\n"):
        pos = re.search(r"\r(?!\n)", text)
        line = text[: pos.start() if pos else 0].count("\n") + 1
        raise ConfigFileError(
            f"{source}:{line}: carriage return without a newline (old Mac line ending) is "
            "not supported; ssogen left the file untouched")
    eol = "\r\n" if crlf else "\n"
    final_newline = not text or text.endswith("\n")
    if not final_newline:
        text += eol
    return Decoded(text, original, bom, crlf, final_newline, eol)


def finish(text: str, decoded: Decoded, *, appended_at_end: bool) -> str:
    """New text in the file's style: CRLF everywhere in a CRLF file, the missing final line
    break still missing unless new sections were appended after that last line."""
    if decoded.crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if not decoded.final_newline and not appended_at_end and text.endswith(decoded.eol):
        text = text[: -len(decoded.eol)]
    return text
