"""A cap on request bodies, enforced before a body is read whole.

A declared `Content-Length` over the cap is answered 413 at once, without reading anything.
A body sent without one (chunked) is counted as it arrives; as soon as it passes the cap the
app sees the client gone (so it stops reading) and whatever it answers is replaced by the 413:
a 20 MB body never sits in memory.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from booth.core.errors import BoothError, ErrorCode


def too_large(limit: int) -> BoothError:
    return BoothError(
        ErrorCode.INVALID_QUERY,
        f"The request body is larger than the limit of {limit} bytes.",
        status=413,
    )


class BodyLimit:
    """ASGI middleware: 413 for a body over `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            # The server reads exactly the declared length, so only a chunked body is counted.
            if declared > self.limit:
                await _send_error(send, too_large(self.limit))
            else:
                await self.app(scope, receive, send)
            return
        received = 0
        over = False
        answered = False

        async def counted() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Stop reading: to the app the client has gone; its answer is replaced.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def answer(message: Message) -> None:
            nonlocal answered
            if not over:
                await send(message)
            elif not answered:
                answered = True
                await _send_error(send, too_large(self.limit))

        await self.app(scope, counted, answer)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_error(send: Send, error: BoothError) -> None:
    body = json.dumps(error.body()).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": error.http_status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
