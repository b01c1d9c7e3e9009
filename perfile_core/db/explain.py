"""`EXPLAIN (FORMAT JSON)` of a statement, with its values still bound parameters.

Rendering a statement's values into SQL text (`literal_binds`) puts user text into the
SQL: a search for `:b` became a bind parameter named `b`. This construct compiles the
inner statement the ordinary way, so its values travel to the driver as parameters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlalchemy.sql.visitors import InternalTraversal


class ExplainJson(Executable, ClauseElement):
    """The planner's plan for `statement` (PostgreSQL), as one JSON value.

    Cached like any statement: its cache key is the inner statement's (and `analyze`), so each
    shape is compiled once and reused with new values. A search asks for an estimate on every
    page read (services.queries), and compiling it each time cost about 1 ms."""

    inherit_cache = True
    _traverse_internals = [
        ("statement", InternalTraversal.dp_clauseelement),
        ("analyze", InternalTraversal.dp_boolean),
    ]
    # One unnamed JSON column, read by position: nothing for a cached result to map by name.
    _all_selected_columns = ()

    def __init__(self, statement: Executable, *, analyze: bool = False) -> None:
        self.statement = statement
        self.analyze = analyze  # run it, and report the time each step took (benchmarks)


@compiles(ExplainJson, "postgresql")
def _explain_json(element: ExplainJson, compiler: Any, **kw: Any) -> str:
    options = "ANALYZE, FORMAT JSON" if element.analyze else "FORMAT JSON"
    return f"EXPLAIN ({options}) " + compiler.process(element.statement, **kw)
