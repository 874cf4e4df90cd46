"""Export: the PDF (full or family copy) previewed page by page in the app, then saved where the user chooses.

The PDF is made in the background; the preview is rendered in memory and nothing touches the disk until
the user saves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cpassess.assessments import Assessment
from cpassess.atomic import write_atomic
from ui.background import run_in_background
from ui.pdf_pages import render_pages

if TYPE_CHECKING:
    from cpassess.casework.documents import ExportedPdf
    from cpassess.session import Session
    from ui.main_window import MainWindow

PREVIEW_WIDTH = 760


class ExportDialog(QDialog):
    def __init__(self, window: MainWindow, session: Session, assessment: Assessment,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = session
        self.assessment = assessment
        self.exported: ExportedPdf | None = None
        self.setWindowTitle("Export PDF")
        layout = QVBoxLayout(self)
        options = QHBoxLayout()
        self.family = QCheckBox("&Family copy (leaves out third-party information)")
        self.comments = QCheckBox("Include review &comments (drafts only)")
        options.addWidget(self.family)
        options.addWidget(self.comments)
        options.addStretch(1)
        layout.addLayout(options)
        self.state = QLabel()
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        layout.addWidget(self.progress)
        self.pages = QWidget()
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages)
        scroll.setAccessibleName("Preview of the PDF pages")
        layout.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("&Save as…")
        self.save_button.setProperty("role", "primary")
        self.save_button.setEnabled(False)
        close = QPushButton("Cl&ose")
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.reject)
        self.family.toggled.connect(self.make)
        self.comments.toggled.connect(self.make)
        self.resize(900, min(860, self.screen().availableGeometry().height() * 9 // 10))  # fits a small laptop
        self.make()

    def make(self) -> None:
        """Make the PDF and its preview in the background; the dialog stays responsive."""
        from cpassess.casework.documents import export_pdf

        self.save_button.setEnabled(False)
        self.family.setEnabled(False)
        self.comments.setEnabled(False)
        self.progress.show()
        self.state.setText("Making the PDF…")
        family, comments, assessment_id = self.family.isChecked(), self.comments.isChecked(), self.assessment.id

        def work() -> tuple[ExportedPdf, list]:  # type: ignore[type-arg]
            exported = export_pdf(self.session, assessment_id, family_copy=family, include_comments=comments)
            return exported, render_pages(exported.data, PREVIEW_WIDTH)

        run_in_background(work, self._show, self._failed)

    def _show(self, result: tuple[ExportedPdf, list]) -> None:  # type: ignore[type-arg]
        self.exported, images = result
        self.progress.hide()
        self.family.setEnabled(True)
        self.comments.setEnabled(True)
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for number, image in enumerate(images, start=1):
            page = QLabel()
            page.setPixmap(QPixmap.fromImage(image))
            page.setAccessibleName(f"Page {number} of {len(images)}")
            page.setStyleSheet("border: 1px solid #c5ccd6; background: white;")
            self.pages_layout.addWidget(page)
        kind = ("The signed, approved record." if self.exported.signed else
                "A DRAFT: not approved and not signed. Every page says so.")
        warnings = " ".join(f"⚠ {w}" for w in self.exported.warnings)
        self.state.setText(f"{kind} {len(images)} pages. {warnings}")
        self.save_button.setEnabled(True)

    def _failed(self, error: Exception) -> None:
        self.progress.hide()
        self.family.setEnabled(True)
        self.comments.setEnabled(True)
        self.state.setText("The PDF could not be made.")
        self.window_.show_error(error)

    def save(self) -> None:
        if self.exported is None:
            return
        suffix = "-family-copy" if self.family.isChecked() else ""
        status = "approved" if self.exported.signed else "DRAFT"
        path, _ = QFileDialog.getSaveFileName(self, "Save the PDF", f"assessment-{status}{suffix}.pdf",
                                              "PDF documents (*.pdf)")
        if not path:
            return
        try:
            from pathlib import Path

            write_atomic(Path(path), self.exported.data)
        except OSError as error:
            QMessageBox.warning(self, "Not saved", f"The PDF could not be saved: {error.strerror}.")
            return
        self.state.setText(f"Saved to {path}.")
