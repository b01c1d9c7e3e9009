"""Reading a label back the way a warehouse scanner would."""

from __future__ import annotations

import io

import pypdf
import pypdfium2
from pyzbar import pyzbar


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_size_mm(content: bytes) -> tuple[float, float]:
    box = pypdf.PdfReader(io.BytesIO(content)).pages[0].mediabox
    return round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)


def barcodes(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    try:
        image = document[0].render(scale=3).to_pil()
        return [found.data.decode() for found in pyzbar.decode(image)]
    finally:
        document.close()
