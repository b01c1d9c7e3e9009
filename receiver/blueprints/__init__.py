"""One blueprint per source, plus health checks."""
