"""Courier adapters: one folder per courier behind one interface (`base.CourierAdapter`).

Callers never import a courier's folder; they ask the registry (`registry.CourierRegistry`)
for an adapter by courier code.
"""
