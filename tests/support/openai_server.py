"""A real OpenAI-compatible HTTP server on loopback, for tests that need a model.

It speaks the chat-completions protocol the official `openai` SDK speaks (`GET /v1/models`,
`POST /v1/chat/completions`, streaming as SSE `data: {chat.completion.chunk}` lines then
`data: [DONE]`, `response_format` JSON schemas, usage) and answers from a *responder*: a plain
function of the request. It records every request, and can misbehave on purpose.

Usage (sync or async tests alike; the server runs in its own thread with its own loop)::

    from tests.support.openai_server import ChatCall, Fault, OpenAIServer, Reply

    def responder(call: ChatCall) -> str | Reply:
        if call.schema_name == "JobRequirements":
            return json.dumps({...})           # content of the assistant message
        return "Hello " + call.last_user_text   # streamed word by word when stream=True

    with OpenAIServer(responder, models=["m1", "m2"]) as model:
        client = AsyncOpenAI(base_url=model.base_url, api_key="test")
        ...
        model.add_fault(Fault("status", status=429, retry_after=2))   # the next call only
        model.add_fault(Fault("slow", delay=5), times=None)           # every call from now on
        model.clear_faults()
        assert model.calls[-1].disconnected      # the client closed the connection early
        model.wait_for(lambda: model.calls[-1].disconnected)       # (sync) poll until true
        await model.wait_for_async(lambda: ...)                      # (async) same

Faults (`Fault.kind`):
- ``slow``: wait `delay` seconds before answering (a streamed answer also waits `chunk_delay`
  between chunks when set on the server or the fault).
- ``status``: answer `status` (500, 429 …) with an OpenAI error body; `retry_after` sets the
  Retry-After header.
- ``malformed``: a 200 whose body is not JSON (non-streaming) or whose first chunk is not JSON.
- ``cut``: a streamed answer stops after `after_chunks` chunks and the connection is dropped
  (no `[DONE]`, an unterminated chunked body); non-streaming: the body is cut mid-way.
- ``invalid``: the content is `invalid_content` (default: a JSON object that matches no schema).
"Server gone" is `stop()`: the port then refuses connections (`base_url` stays the same).

Each request becomes a `ChatCall` in `calls` (in arrival order) with the parsed body, whether it
completed and whether the client disconnected before the answer ended.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import uvicorn

from tests.support.servers import free_socket, wait_healthy

FaultKind = Literal["slow", "status", "malformed", "cut", "invalid"]
INVALID_DEFAULT = '{"unexpected": "this matches no schema"}'
TOKEN_PATTERN = re.compile(r"\s*\S+|\s+")


@dataclass
class Reply:
    """An assistant message: text content and/or tool calls (OpenAI wire shape dicts)."""

    content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    finish_reason: str | None = None


@dataclass
class Fault:
    kind: FaultKind
    delay: float = 0.0
    status: int = 500
    retry_after: float | str | None = None  # seconds, or the header's text (an HTTP date)
    after_chunks: int = 2
    chunk_delay: float | None = None
    invalid_content: str = INVALID_DEFAULT


@dataclass
class ChatCall:
    """One request the server received."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    received_at: float = field(default_factory=time.monotonic)
    finished_at: float | None = None  # when the whole answer had been sent
    completed: bool = False
    disconnected: bool = False
    fault: Fault | None = None

    def complete(self) -> None:
        self.completed = True
        self.finished_at = time.monotonic()

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def text(self) -> str:
        """Every message's text, joined: what this one call showed the model."""
        return "\n".join(_message_text(m) for m in self.messages)

    @property
    def last_user_text(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return _message_text(users[-1]) if users else ""

    @property
    def schema(self) -> dict[str, Any] | None:
        fmt = self.body.get("response_format") or {}
        if fmt.get("type") != "json_schema":
            return None
        return (fmt.get("json_schema") or {}).get("schema")

    @property
    def schema_name(self) -> str | None:
        fmt = self.body.get("response_format") or {}
        return (
            (fmt.get("json_schema") or {}).get("name") if fmt.get("type") == "json_schema" else None
        )


Responder = Callable[[ChatCall], "str | Reply | Awaitable[str | Reply]"]


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):  # content parts
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def echo_responder(call: ChatCall) -> str:
    """The default: repeat the last user message."""
    return f"echo: {call.last_user_text}"


def count_tokens(text: str) -> int:
    """A stand-in tokenizer: words (good enough for usage accounting in tests)."""
    return len(text.split())


class _FaultQueue:
    """Faults for upcoming calls: each with a count of calls left (None = until cleared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[list[Any]] = []

    def add(self, fault: Fault, times: int | None) -> None:
        with self._lock:
            self._items.append([fault, times])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def take(self) -> Fault | None:
        with self._lock:
            if not self._items:
                return None
            item = self._items[0]
            if item[1] is not None:
                item[1] -= 1
                if item[1] <= 0:
                    self._items.pop(0)
            return item[0]


class OpenAIServer:
    """The loopback model server. `base_url` ends in `/v1`, as the SDK expects."""

    def __init__(
        self,
        responder: Responder | None = None,
        models: list[str] | tuple[str, ...] = ("test-model",),
        chunk_delay: float = 0.0,
    ) -> None:
        self.responder: Responder = responder or echo_responder
        self.models = list(models)
        self.chunk_delay = chunk_delay
        self.calls: list[ChatCall] = []
        self._faults = _FaultQueue()
        self._sock = free_socket()
        # Each answer is written as headers then body. asyncio sets TCP_NODELAY only on sockets
        # it creates itself; without it, Nagle holds the body for the client's delayed ACK and
        # every call on a kept-alive connection takes ~40 ms. Accepted sockets inherit this.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.base_url = self.url + "/v1"
        config = uvicorn.Config(
            self._asgi,
            interface="asgi3",
            log_level="critical",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> OpenAIServer:
        self._thread.start()
        wait_healthy(self.url, timeout=10)
        return self

    def stop(self) -> None:
        """Shut down: afterwards the port refuses connections ("server gone")."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls ----------------------------------------------------------------------

    def add_fault(self, fault: Fault, times: int | None = 1) -> None:
        """Misbehave on the next `times` chat calls (None: on every call until cleared)."""
        self._faults.add(fault, times)

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def chat_calls(self) -> list[ChatCall]:
        return [c for c in self.calls if c.path.endswith("/chat/completions")]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not reached on the model server")
            time.sleep(0.01)

    async def wait_for_async(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not reached on the model server")
            await asyncio.sleep(0.01)

    # -- ASGI -------------------------------------------------------------------------------

    async def _asgi(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path, method = scope["path"], scope["method"]
        raw = await _read_body(receive)
        if path == "/health":
            await _send_json(send, 200, {"status": "ok"})
        elif path == "/v1/models" and method == "GET":
            self.calls.append(ChatCall(path=path, body={}, headers=_headers(scope)))
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "booth-tests"}
                for m in self.models
            ]
            await _send_json(send, 200, {"object": "list", "data": data})
            self.calls[-1].complete()
        elif path == "/v1/chat/completions" and method == "POST":
            await self._chat(scope, raw, receive, send)
        else:
            await _send_json(send, 404, _error_body(f"no route {method} {path}", "not_found"))

    async def _chat(self, scope: dict[str, Any], raw: bytes, receive: Any, send: Any) -> None:
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            await _send_json(send, 400, _error_body("body is not JSON", "invalid_request_error"))
            return
        call = ChatCall(path=scope["path"], body=body, headers=_headers(scope))
        call.fault = self._faults.take()
        self.calls.append(call)
        if body.get("model") not in self.models:
            await _send_json(
                send, 404, _error_body(f"model {body.get('model')!r} not found", "model_not_found")
            )
            call.complete()
            return
        work = asyncio.ensure_future(self._answer(call, send))
        watcher = asyncio.ensure_future(_wait_disconnect(receive))
        done, _ = await asyncio.wait({work, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if watcher in done and work not in done:
            call.disconnected = True
            work.cancel()
        else:
            watcher.cancel()
        await asyncio.gather(work, watcher, return_exceptions=True)
        exc = work.exception() if work.done() and not work.cancelled() else None
        if isinstance(exc, _CutConnection):
            raise RuntimeError("stream cut on purpose")  # uvicorn drops the connection

    async def _answer(self, call: ChatCall, send: Any) -> None:
        fault = call.fault
        if fault and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        if fault and fault.kind == "status":
            headers = (
                {"retry-after": _retry_after(fault.retry_after)}
                if fault.retry_after is not None
                else {}
            )
            kind = "rate_limit_exceeded" if fault.status == 429 else "server_error"
            await _send_json(
                send, fault.status, _error_body(f"injected {fault.status}", kind), headers
            )
            call.complete()
            return
        reply = await self._reply(call)
        if call.stream:
            await self._stream(call, reply, send)
        else:
            await self._whole(call, reply, send)
        call.complete()

    async def _reply(self, call: ChatCall) -> Reply:
        if call.fault and call.fault.kind == "invalid":
            return Reply(content=call.fault.invalid_content)
        answer = self.responder(call)
        if inspect.isawaitable(answer):
            answer = await answer
        return answer if isinstance(answer, Reply) else Reply(content=str(answer))

    def _usage(self, call: ChatCall, reply: Reply) -> dict[str, int]:
        prompt = count_tokens(call.text)
        completion = count_tokens(reply.content or "") + len(reply.tool_calls or [])
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    async def _whole(self, call: ChatCall, reply: Reply, send: Any) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            message["tool_calls"] = reply.tool_calls
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        body = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": call.model,
            "choices": [
                {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            ],
            "usage": self._usage(call, reply),
        }
        payload = json.dumps(body).encode()
        fault = call.fault
        if fault and fault.kind == "malformed":
            await _send_raw(
                send, 200, b'{"id": "chatcmpl-broken", "choices": [', "application/json"
            )
            return
        if fault and fault.kind == "cut":
            await send(_start(200, "application/json", {"content-length": str(len(payload))}))
            await send(
                {
                    "type": "http.response.body",
                    "body": payload[: len(payload) // 2],
                    "more_body": True,
                }
            )
            raise _CutConnection()
        await _send_raw(send, 200, payload, "application/json")

    async def _stream(self, call: ChatCall, reply: Reply, send: Any) -> None:
        fault = call.fault
        delay = fault.chunk_delay if fault and fault.chunk_delay is not None else self.chunk_delay
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            body = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": call.model,
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
                ],
            }
            return b"data: " + json.dumps(body).encode() + b"\n\n"

        await send(_start(200, "text/event-stream", {"cache-control": "no-cache"}))
        pieces = [chunk({"role": "assistant", "content": ""})]
        pieces += [
            chunk({"content": token}) for token in TOKEN_PATTERN.findall(reply.content or "")
        ]
        for index, tool_call in enumerate(reply.tool_calls or []):
            pieces.append(chunk({"tool_calls": [{"index": index, **tool_call}]}))
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        pieces.append(chunk({}, finish))
        if (call.body.get("stream_options") or {}).get("include_usage"):
            usage = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": call.model,
                "choices": [],
                "usage": self._usage(call, reply),
            }
            pieces.append(b"data: " + json.dumps(usage).encode() + b"\n\n")
        pieces.append(b"data: [DONE]\n\n")
        if fault and fault.kind == "malformed":
            pieces[1] = b"data: {this is not json\n\n"
        for sent, piece in enumerate(pieces):
            if fault and fault.kind == "cut" and sent >= fault.after_chunks:
                raise _CutConnection()
            if delay and sent:
                await asyncio.sleep(delay)
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _CutConnection(Exception):
    """Raised inside the app so uvicorn drops the connection mid-body."""


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _retry_after(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


def _error_body(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _wait_disconnect(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        continue


def _start(status: int, content_type: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    headers = [(b"content-type", content_type.encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    return {"type": "http.response.start", "status": status, "headers": headers}


async def _send_raw(
    send: Any, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
) -> None:
    await send(_start(status, content_type, {"content-length": str(len(body)), **(extra or {})}))
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _send_json(
    send: Any, status: int, body: dict[str, Any], extra: dict[str, str] | None = None
) -> None:
    await _send_raw(send, status, json.dumps(body).encode(), "application/json", extra)
