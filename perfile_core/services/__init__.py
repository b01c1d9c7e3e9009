"""Use cases (write side) and read-side queries. Entrypoints call only these."""
