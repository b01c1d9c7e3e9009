"""The forward-only rule for one event, as SQL expressions over an orders row (PostgreSQL).

The receiver applies a courier event in a single statement (services/webhook_fastpath.py), so
the rule must run inside that statement. domain/status.py stays its one definition: these
expressions are generated from its constants (the main line, the terminal and side statuses)
and restate `apply_event` step by step; tests/receiver/test_fast_path_rule.py applies random
event sequences both ways and requires identical orders and e-mails.

Names used below: `st` is the event's status in the order's context (NULL = informational),
`t` the event time; the row's own columns are the state before the event.
"""

from __future__ import annotations

from collections.abc import Iterable

from perfile_core.domain.status import MAIN_LINE, TERMINAL, EventKind, Status, event_kind

SIDE_TERMINAL: tuple[Status, ...] = tuple(s for s in Status if event_kind(s) is EventKind.TERMINAL_SIDE)


def literals(statuses: Iterable[Status]) -> str:
    """SQL string literals; safe because the values are our own enum members."""
    return ", ".join(f"'{status.value}'" for status in statuses)


def rank(expression: str) -> str:
    """domain.status.rank, 1-based; NULL for side states (exception, returned, cancelled)."""
    return f"array_position(ARRAY[{literals(MAIN_LINE)}]::text[], {expression})"


PICKED_UP_RANK = MAIN_LINE.index(Status.PICKED_UP) + 1


def contextual_status(main_rank: str, if_picked_up: str, if_not: str) -> str:
    """domain.courier_mappings.status_in_context: the caller passes both readings of the event."""
    return f"CASE WHEN {main_rank} >= {PICKED_UP_RANK} THEN {if_picked_up} ELSE {if_not} END"


def folded_facts(st: str, st_rank: str, main_rank: str, t: str, reason: str) -> dict[str, str]:
    """apply_event's new facts: column -> expression over the row before the event, where
    st_rank and main_rank are rank(st) and rank(main_status), computed once."""
    newer_exception = f"{st} = '{Status.EXCEPTION.value}' AND (exception_at IS NULL OR {t} > exception_at)"
    return {
        "main_status": f"CASE WHEN {st_rank} > {main_rank} THEN {st} ELSE main_status END",
        "main_status_at": f"CASE WHEN {st_rank} IS NOT NULL THEN greatest(main_status_at, {t}) ELSE main_status_at END",
        "exception_reason": f"CASE WHEN {newer_exception} THEN {reason} ELSE exception_reason END",
        "exception_at": f"CASE WHEN {newer_exception} THEN {t} ELSE exception_at END",
        "shipped_at": f"CASE WHEN {st_rank} >= {PICKED_UP_RANK} THEN least(shipped_at, {t}) ELSE shipped_at END",
        "delivered_at": (
            f"CASE WHEN {st} = '{Status.DELIVERED.value}' AND order_status NOT IN ({literals(SIDE_TERMINAL)})"
            f" THEN least(delivered_at, {t}) ELSE delivered_at END"
        ),
    }


def folded_status(st: str, old_status: str, alias: str) -> str:
    """apply_event's new status, from the old status and the new facts (columns of `alias`)."""
    main, main_at, exception_at = f"{alias}.main_status", f"{alias}.main_status_at", f"{alias}.exception_at"
    return (
        f"CASE WHEN {st} IS NULL OR {old_status} IN ({literals(TERMINAL)}) THEN {old_status}"
        f" WHEN {st} IN ({literals(SIDE_TERMINAL)}) THEN {st}"
        f" WHEN {main} = '{Status.DELIVERED.value}' THEN '{Status.DELIVERED.value}'"
        f" WHEN {exception_at} IS NOT NULL AND ({main_at} IS NULL OR {exception_at} >= {main_at})"
        f" THEN '{Status.EXCEPTION.value}'"
        f" ELSE {main} END"
    )
