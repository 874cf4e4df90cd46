"""PDF pages as pictures for the in-app preview: QtPdf when Qt ships it, otherwise PDFium (pypdfium2).

Rendering happens in memory; nothing is written to disk (DESIGN §8.4).
"""

from __future__ import annotations

from PySide6.QtGui import QImage


def render_pages(pdf: bytes, width_px: int) -> list[QImage]:
    """Every page of `pdf` rendered to an image `width_px` wide."""
    try:
        return _render_with_qtpdf(pdf, width_px)
    except ImportError:
        return _render_with_pdfium(pdf, width_px)


def _render_with_qtpdf(pdf: bytes, width_px: int) -> list[QImage]:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument

    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    images = []
    for page in range(document.pageCount()):
        size = document.pagePointSize(page)
        scale = width_px / size.width()
        images.append(document.render(page, QSize(width_px, int(size.height() * scale))))
    return images


def _render_with_pdfium(pdf: bytes, width_px: int) -> list[QImage]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            scale = width_px / page.get_width()
            bitmap = page.render(scale=scale, rev_byteorder=True)  # RGB(A) byte order, as QImage reads it
            fmt = QImage.Format.Format_RGBA8888 if bitmap.n_channels == 4 else QImage.Format.Format_RGB888
            images.append(QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, fmt).copy())
            page.close()
    finally:
        document.close()
    return images
