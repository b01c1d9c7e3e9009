"""POST /webhooks/couriers/<courier>: Bring Event Cast, or our unified Standard Webhooks event.

Every courier event takes this route, so it is answered below Flask, as WSGI middleware
around the Flask app: Flask's request and response objects, URL matching, app context and
response processing cost about a quarter of this route's Python per request. The delivery is
read and answered by the same function as every Flask route (delivery.answer_delivery), so
signature, size limit, error table, refusal records and log line are the same rules; any
other path goes on to Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from perfile_core.services.webhook_couriers import receive_courier_event
from receiver import errors
from receiver.delivery import answer_delivery, request_id_of

if TYPE_CHECKING:
    from receiver import ReceiverState

PREFIX = "/webhooks/couriers/"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class CourierRoute:
    def __init__(self, flask_app: WsgiApp, receiver: ReceiverState) -> None:
        self._flask_app = flask_app
        self._receiver = receiver

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        courier = courier_in(environ.get("PATH_INFO", ""))
        if courier is None:
            return self._flask_app(environ, start_response)
        if environ.get("REQUEST_METHOD") == "POST":
            context = self._receiver.context
            answer = answer_delivery(
                self._receiver,
                f"courier:{courier[:40]}",
                lambda delivery: receive_courier_event(context, courier, delivery),
                environ,
            )
        else:
            answer = errors.error_answer("method_not_allowed", "only POST is allowed here", 405, request_id_of(environ))
            answer.headers.append(("Allow", "POST"))
        answer.headers.append(("Content-Length", str(len(answer.body))))
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", answer.headers)
        return [answer.body]


def courier_in(path_info: str) -> str | None:
    """The <courier> of /webhooks/couriers/<courier> (one non-empty segment, UTF-8 as werkzeug
    decodes it), or None for any other path."""
    if not path_info.startswith(PREFIX):
        return None
    segment = path_info[len(PREFIX) :]
    if not segment or "/" in segment:
        return None
    return segment.encode("latin-1", "replace").decode("utf-8", "replace")
