"""One PDF of many labels, so a bulk booking prints in one go."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def combine_pdfs(documents: list[bytes]) -> bytes:
    """Every page of every document, in order."""
    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(io.BytesIO(document)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
