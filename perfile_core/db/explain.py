"""`EXPLAIN (FORMAT JSON)` of a statement, with its values still bound parameters.

Rendering a statement's values into SQL text (`literal_binds`) puts user text into the
SQL: a search for `:b` became a bind parameter named `b`. This construct compiles the
inner statement the ordinary way, so its values travel to the driver as parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable


class ExplainJson(Executable, ClauseElement):
    """The planner's plan for `statement` (PostgreSQL), as one JSON value."""

    inherit_cache = False

    def __init__(self, statement: Executable, *, analyze: bool = False) -> None:
        self.statement = statement
        self.analyze = analyze  # run it, and report the time each step took (benchmarks)


@compiles(ExplainJson, "postgresql")
def _explain_json(element: ExplainJson, compiler: Any, **kw: Any) -> str:
    options = "ANALYZE, FORMAT JSON" if element.analyze else "FORMAT JSON"
    return f"EXPLAIN ({options}) " + compiler.process(element.statement, **kw)
