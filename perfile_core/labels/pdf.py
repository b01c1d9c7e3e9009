"""A 10x15 cm (A6-class) PDF shipping label with a Code 128 barcode of the tracking number."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from perfile_core.couriers.base import Address

WIDTH, HEIGHT = 100 * mm, 150 * mm
MARGIN = 5 * mm
BAR_WIDTH = 0.38 * mm  # narrowest bar: scanners read it at 203 dpi thermal print
BAR_HEIGHT = 22 * mm


@dataclass(frozen=True)
class LabelData:
    courier_name: str
    service_name: str
    tracking_number: str
    order_number: str
    sender: Address
    recipient: Address
    weight_grams: int
    ship_date: date


def render_label(data: LabelData) -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=(WIDTH, HEIGHT), pageCompression=1)
    pdf.setTitle(f"Label {data.tracking_number}")
    pdf.setAuthor("Perfile")
    pdf.setSubject(f"Order {data.order_number}")
    top = HEIGHT - MARGIN
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(MARGIN, top - 12, data.courier_name)
    pdf.setFont("Helvetica", 9)
    pdf.drawRightString(WIDTH - MARGIN, top - 12, data.service_name)
    pdf.line(MARGIN, top - 17, WIDTH - MARGIN, top - 17)
    y = _block(pdf, "FROM", data.sender, top - 28, size=8)
    pdf.line(MARGIN, y - 2, WIDTH - MARGIN, y - 2)
    y = _block(pdf, "TO", data.recipient, y - 14, size=12)
    pdf.line(MARGIN, y - 2, WIDTH - MARGIN, y - 2)
    pdf.setFont("Helvetica", 9)
    pdf.drawString(MARGIN, y - 14, f"Order: {data.order_number}")
    pdf.drawString(MARGIN, y - 26, f"Weight: {data.weight_grams / 1000:.2f} kg")
    pdf.drawRightString(WIDTH - MARGIN, y - 14, f"Date: {data.ship_date.isoformat()}")
    _barcode(pdf, data.tracking_number)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _block(pdf: Canvas, title: str, address: Address, y: float, *, size: int) -> float:
    pdf.setFont("Helvetica-Bold", 7)
    pdf.drawString(MARGIN, y, title)
    y -= size + 3
    for index, line in enumerate(address.lines()):
        pdf.setFont("Helvetica-Bold" if index == 0 else "Helvetica", size)
        pdf.drawString(MARGIN, y, line[:60])
        y -= size + 2
    return y


def _barcode(pdf: Canvas, number: str) -> None:
    barcode = Code128(number, barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT, humanReadable=False, quiet=True)
    x = (WIDTH - barcode.width) / 2
    barcode.drawOn(pdf, x, MARGIN + 10 * mm)
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawCentredString(WIDTH / 2, MARGIN + 4 * mm, _spaced(number))


def _spaced(number: str) -> str:
    """Groups of four, as couriers print them for humans."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
