"""DHL: Shipment Tracking - Unified (track only; we do not book with DHL)."""
