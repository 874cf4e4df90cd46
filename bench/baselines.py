"""The baselines of DESIGN §13: the irreducible part of each row's work, done with the bare libraries.

Each is built from the same data as the row it is measured beside (the same database file and key, the same
pre-folded search keys, the same words, the same PDF, key and certificate), so that the ratio speaks of our code,
not of the machine.
"""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import sqlcipher3

# What the caseload shows of each child (the columns kept beside each record): names, date of birth, CHI,
# registration, next meetings, the latest assessment, and the search key; read the plain way.
CASELOAD_SQL = """
    SELECT c.id, c.family_name, c.given_names, c.known_as, c.date_of_birth, c.chi, c.registered, c.next_cppm,
           c.next_core_group, (SELECT status FROM assessments WHERE child_id = c.id ORDER BY updated DESC LIMIT 1),
           c.search
    FROM children c
"""
PRAGMAS = ("cipher_memory_security = ON", "journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON",
           "temp_store = MEMORY", "cache_size = -32768", "secure_delete = ON")  # as cpassess.storage opens it


def connect(database: Path, key: bytes) -> Any:
    connection = sqlcipher3.connect(str(database), isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    for pragma in PRAGMAS:
        connection.execute(f"PRAGMA {pragma}").fetchall()
    return connection


class BareCaseload:
    """A bare `sqlcipher3` SELECT of the caseload columns shown in a bare QTableView over a minimal model."""

    def __init__(self, database: Path, key: bytes) -> None:
        from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

        class Model(QAbstractTableModel):
            def __init__(self) -> None:
                super().__init__()
                self.rows: list[tuple[Any, ...]] = []

            def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
                return len(self.rows)

            def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
                return 9

            def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
                if role != Qt.ItemDataRole.DisplayRole:
                    return None
                value = self.rows[index.row()][index.column() + 1]
                return None if value is None else str(value)

        self._model_type = Model
        self.database, self.key = database, key
        self.rows: list[tuple[Any, ...]] = []
        self.model: Any = None
        self.view: Any = None

    def show(self) -> None:
        from PySide6.QtWidgets import QApplication, QTableView

        connection = connect(self.database, self.key)
        self.rows = [tuple(row) for row in connection.execute(CASELOAD_SQL).fetchall()]
        connection.close()
        self.model = self._model_type()
        self.model.rows = self.rows
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.resize(1366, 700)
        self.view.show()
        QApplication.processEvents()

    def set_rows(self, rows: list[tuple[Any, ...]]) -> None:
        self.model.beginResetModel()
        self.model.rows = rows
        self.model.endResetModel()

    def close(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.view.close()
        self.view.deleteLater()
        self.view = self.model = None
        QApplication.processEvents()

    def timed_show(self) -> float:
        start = time.perf_counter()
        self.show()
        elapsed = time.perf_counter() - start
        self.close()
        return elapsed


def bare_filter(rows: list[tuple[Any, ...]], text: str) -> list[tuple[Any, ...]]:
    """The rows whose pre-folded key (the last column) has a word starting with each typed word."""
    words = text.casefold().split()
    return [row for row in rows if all(row[-1].startswith(word) or f" {word}" in row[-1] for word in words)]


@contextmanager
def bare_upsert(database: Path, key: bytes, assessment_id: str, payload: str) -> Iterator[Callable[[], None]]:
    """A bare upsert of the same bytes into the same row, same pragmas, on its own connection."""
    connection = connect(database, key)

    def upsert() -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO assessments (id, child_id, form_id, form_version, status, author, answers, "
                           "created, updated) SELECT id, child_id, form_id, form_version, status, author, ?, created, "
                           "? FROM assessments WHERE id = ? ON CONFLICT(id) DO UPDATE SET answers = excluded.answers, "
                           "updated = excluded.updated", (payload, str(time.time()), assessment_id))
        connection.execute("COMMIT")

    try:
        yield upsert
    finally:
        connection.close()


def plain_render(pdf: bytes) -> Callable[[], bytes]:
    """Bare reportlab rendering of the words of `pdf`: the same embedded font, plain paragraphs, no charts, no
    tables, no page furniture."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from cpassess.export import fonts

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")
    paragraphs = [escape(" ".join(block.split())) for block in text.replace("\f", "\n\n").split("\n\n")
                  if block.strip()]
    fonts.register_fonts()
    style = ParagraphStyle("plain", fontName=fonts.REGULAR, fontSize=10, leading=13)

    def render() -> bytes:
        output = io.BytesIO()
        SimpleDocTemplate(output, pagesize=A4).build([Paragraph(paragraph, style) for paragraph in paragraphs])
        return output.getvalue()

    return render


def stock_signer(key: Any, certificate: Any, authority_certificate: Any) -> Callable[[bytes], bytes]:
    """pyHanko's stock SimpleSigner certifying a PDF with the same two fields and the same visible box (stock
    Unicode appearance font: DejaVu Sans through GlyphAccumulatorFactory)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import layout as box_layout
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from cpassess import authority
    from cpassess.export import fonts, layout, signing

    signing_cert = asn1_x509.Certificate.load(authority.cert_to_der(certificate))
    authority_cert = asn1_x509.Certificate.load(authority.cert_to_der(authority_certificate))
    signer = signers.SimpleSigner(signing_cert=signing_cert,
                                  signing_key=asn1_keys.PrivateKeyInfo.load(authority.key_to_der(key)),
                                  cert_registry=SimpleCertificateStore.from_certs([signing_cert, authority_cert]))
    identity = authority.certificate_identity(certificate)
    style = TextStampStyle(
        stamp_text=signing._STAMP_TEXT, timestamp_format=signing.TIME_FORMAT,
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(fonts.font_path())), font_size=9, leading=12,
                                    text_color=(0.15, 0.15, 0.15)),
        inner_content_layout=box_layout.SimpleBoxLayoutRule(
            x_align=box_layout.AxisAlignment.ALIGN_MIN, y_align=box_layout.AxisAlignment.ALIGN_MID,
            margins=box_layout.Margins(left=8, right=8, top=6, bottom=6)),
        border_width=1, border_color=(0.62, 0.66, 0.7))

    def sign(pdf: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        for name, box in ((layout.AUTHOR_FIELD, layout.AUTHOR_BOX), (layout.APPROVAL_FIELD, layout.APPROVAL_BOX)):
            corners = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
            fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=-1, box=corners))
        metadata = signers.PdfSignatureMetadata(
            field_name=layout.AUTHOR_FIELD, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            name=identity.display_name, reason=signing.AUTHOR_HEADING, certify=True,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS)
        output = signers.PdfSigner(metadata, signer, stamp_style=style).sign_pdf(
            writer, existing_fields_only=True,
            appearance_text_params={"heading": signing.AUTHOR_HEADING, "role": signing.role_line(identity.roles)})
        signed: bytes = output.getvalue()
        return signed

    return sign
