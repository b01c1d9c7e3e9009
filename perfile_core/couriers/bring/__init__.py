"""Bring (Posten Bring): Shipping Guide quotes, Booking API with label URL, Tracking API."""
