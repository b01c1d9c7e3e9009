"""Shipping labels we render ourselves (the sandbox courier; a fallback for couriers without one)."""
