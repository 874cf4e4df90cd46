"""The record inside the PDF (DESIGN §9.7): `record.json`, the canonical content the pages were rendered from.

It is embedded in the same revision as the author's certification, so both signatures cover it, and its SHA-256
is the fingerprint printed in every footer and written in the document's keywords. Reading it back never
raises: a damaged or hostile file gives `None` or a problem sentence.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from cpassess.export import layout

logger = logging.getLogger(__name__)

RECORD_NAME = "record.json"
KEYWORD = layout.RECORD_KEYWORD
_DESCRIPTION = "The record these pages show, as signed (canonical JSON); its SHA-256 is the fingerprint on every page"
_MAX_RECORD = 16 * 1024 * 1024
NO_RECORD = "the document carries no record.json inside its certified revision"


def embed_record(writer: IncrementalPdfFileWriter, record_json: bytes) -> None:
    """Add `record.json` to the revision being written (before it is signed)."""
    data = embed.EmbeddedFileObject.from_file_data(writer, data=record_json, mime_type="application/json")
    embed.embed_file(writer, embed.FileSpec(file_spec_string=RECORD_NAME, file_name=RECORD_NAME,
                                            embedded_data=data, description=_DESCRIPTION))


def embedded_record(pdf: bytes) -> bytes | None:
    """The bytes of `record.json` in this PDF (as its newest revision has it), or None."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        return _record_from(reader)
    except Exception as error:  # a damaged or hostile file can break the parser in any number of ways
        logger.info("record.json could not be read (%s)", type(error).__name__)
        return None


def _record_from(reader: PdfFileReader) -> bytes | None:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return None
    found = [names[i + 1] for i in range(0, len(names) - 1, 2) if str(names[i]) == RECORD_NAME]
    if len(found) != 1:
        return None
    spec = found[0].get_object()
    stream = spec["/EF"]["/F"].get_object()
    if not isinstance(stream, generic.StreamObject):
        return None
    data: bytes = stream.data
    return data if len(data) <= _MAX_RECORD else None


def _keyword(reader: PdfFileReader, name: str) -> str | None:
    try:
        keywords = str(reader.trailer_view["/Info"]["/Keywords"])
    except (KeyError, TypeError, AttributeError):
        return None
    return next((word[len(name):].lower() for word in keywords.split() if word.startswith(name)), None)


def _keyword_hash(reader: PdfFileReader) -> str | None:
    return _keyword(reader, KEYWORD)


def printed_audit_head(pdf: bytes) -> tuple[str, int, str] | None:
    """The audit chain head the record printed on its sign-off page, as (the id of the database it is of,
    sequence, start of the hash), read from the certified revision; None when there is none or it is unreadable."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        length = first_signed_length(reader)
        text = _keyword(PdfFileReader(io.BytesIO(pdf[:length])) if length else reader, layout.AUDIT_HEAD_KEYWORD)
        if text is None:
            return None
        database_id, seq, digest = text.split(":") if text.count(":") == 2 else ("", "", "")
        if not seq.isdigit() or len(digest) < 8 or any(c not in "0123456789abcdef" for c in digest):
            return None
        return database_id, int(seq), digest
    except Exception as error:  # as above
        logger.info("the printed audit head could not be read (%s)", type(error).__name__)
        return None


def document_kind(pdf: bytes, certified_length: int | None) -> str | None:
    """What kind of record the certified revision says it is (layout.DOCUMENT_KEYWORD): None for an
    assessment, or when it cannot be read."""
    if certified_length is None:
        return None
    try:
        return _keyword(PdfFileReader(io.BytesIO(pdf[:certified_length])), layout.DOCUMENT_KEYWORD)
    except Exception as error:  # as above
        logger.info("the kind of document could not be read (%s)", type(error).__name__)
        return None


def first_signed_length(reader: PdfFileReader) -> int | None:
    """How many bytes from the start of the file the first signature covers (its revision)."""
    signatures = reader.embedded_signatures
    return signed_length(signatures[0].byte_range) if signatures else None


def signed_length(byte_range: object) -> int | None:
    """The end of the bytes a signature's /ByteRange covers, if the range is sound."""
    try:
        start, first, second, length = (int(value) for value in byte_range)  # type: ignore[attr-defined]
    except (TypeError, ValueError, KeyError):
        return None
    return second + length if start == 0 and first >= 0 and length >= 0 else None


@dataclass(frozen=True)
class RecordCheck:
    """Whether the PDF carries its record and the record is what the pages say they show."""

    record_json: bytes | None
    sha256: str | None
    problem: str | None  # None: record.json is there, covered by the certification, and matches the fingerprint

    @property
    def ok(self) -> bool:
        return self.problem is None


def check_record(pdf: bytes, certified_length: int | None = None) -> RecordCheck:
    """Read `record.json` from the certified revision (the first `certified_length` bytes, by default the bytes
    the first signature covers) and the whole file, and check both are the same and hash to the fingerprint the
    document names."""
    try:
        whole = PdfFileReader(io.BytesIO(pdf))
        if certified_length is None:
            certified_length = first_signed_length(whole)
        if certified_length is None:
            return RecordCheck(None, None, "there is no certified revision to read the record from")
        # a document only certified is its certified revision: parsed once (importing a package checks hundreds)
        certified_reader = whole if certified_length == len(pdf) else PdfFileReader(io.BytesIO(pdf[:certified_length]))
        certified = _record_from(certified_reader)
        named = _keyword_hash(certified_reader)
        latest = certified if certified_reader is whole else _record_from(whole)
    except Exception as error:  # as above
        logger.info("record.json could not be checked (%s)", type(error).__name__)
        return RecordCheck(None, None, "the document carries no readable record.json")
    if certified is None:
        return RecordCheck(None, None, NO_RECORD)
    digest = hashlib.sha256(certified).hexdigest()
    if latest != certified:
        return RecordCheck(certified, digest, "record.json was replaced after the document was certified")
    if named is None or named != digest:
        return RecordCheck(certified, digest, "record.json does not match the fingerprint printed on the pages")
    return RecordCheck(certified, digest, None)
