"""A run is one request's work; its RunContext is everything that work may touch.

The seed's bug was a callback kept on a shared object, so the last request to arrive received
everyone's events. Here an app's pipeline gets a `RunContext` as an argument, and the context's
emitter writes only into its own run's log. Nothing is looked up from shared objects.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from booth.core.errors import BoothError, ErrorCode
from booth.core.events import Event, EventType
from booth.core.payloads import (
    AnyPayload,
    PhaseCompletePayload,
    PhasePayload,
    ResponsePayload,
    ResultPayload,
    StatusPayload,
    ThoughtKind,
    ThoughtPayload,
)
from booth.core.sessions.base import SessionStore

# Seconds of loop time a run may keep between two yields at its checkpoints: well under what a
# reader notices, and long enough that a fast phase does not cost a loop turn and a write.
YIELD_AFTER = 0.002


class RunContext:
    """The request-scoped handle a pipeline receives: emitter, session, deadline, cancellation."""

    __slots__ = (
        "run_id",
        "session_id",
        "app",
        "sessions",
        "deadline",
        "include_thoughts",
        "client_ip",
        "_emit",
        "_step",
        "_started",
        "_yielded",
    )

    def __init__(
        self,
        *,
        run_id: str,
        session_id: str,
        app: str,
        sessions: SessionStore,
        emit: Callable[[EventType, AnyPayload], Awaitable[None]],
        deadline: float,
        include_thoughts: bool = True,
        client_ip: str | None = None,
    ) -> None:
        self.run_id = run_id
        self.session_id = session_id
        self.app = app
        self.sessions = sessions
        self.deadline = deadline
        self.include_thoughts = include_thoughts
        self.client_ip = client_ip
        self._emit = emit
        self._step = 0
        self._started = time.monotonic()
        self._yielded = self._started

    # -- time ---------------------------------------------------------------------------------
    def remaining(self) -> float:
        """Seconds left before the run's deadline."""
        return self.deadline - time.monotonic()

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self._started) * 1000)

    async def checkpoint(self) -> None:
        """Let other runs have the loop (and cancellation land), and fail fast past the deadline.

        It yields once the run has kept the loop for `YIELD_AFTER` since its last checkpoint
        yield: a phase that does a few hundred microseconds of work then sends its events with
        the next phase's, in one write, instead of a loop turn and a write per phase.
        """
        now = time.monotonic()
        if now - self._yielded >= YIELD_AFTER:
            await asyncio.sleep(0)
            now = self._yielded = time.monotonic()
        if self.deadline - now <= 0:
            raise BoothError(ErrorCode.TIMEOUT, "The run passed its deadline.")

    # -- events -------------------------------------------------------------------------------
    async def status(self, status: str, message: str, **extra: Any) -> None:
        await self.send(EventType.STATUS, StatusPayload(status=status, message=message, **extra))

    async def phase(self, phase: str, message: str) -> None:
        await self.send(EventType.PHASE, PhasePayload(phase=phase, message=message))

    async def phase_complete(
        self,
        phase: str,
        summary: str,
        data: BaseModel | dict[str, Any] | None = None,
        duration_ms: int | None = None,
    ) -> None:
        if isinstance(data, BaseModel):
            data = data.model_dump(mode="json")
        payload = PhaseCompletePayload(
            phase=phase, summary=summary, data=data or {}, duration_ms=duration_ms or 0
        )
        await self.send(EventType.PHASE_COMPLETE, payload)

    async def thought(
        self,
        type: ThoughtKind,
        phase: str,
        content: str | None = None,
        *,
        tool: str | None = None,
        input: Any = None,
    ) -> None:
        """A reasoning step; dropped when the client asked for no thoughts."""
        if not self.include_thoughts:
            return
        self._step += 1
        payload = ThoughtPayload(
            step=self._step, type=type, phase=phase, tool=tool, input=input, content=content
        )
        await self.send(EventType.THOUGHT, payload)

    async def response(self, chunk: str) -> None:
        await self.send(EventType.RESPONSE, ResponsePayload(chunk=chunk))

    async def result(self, result: BaseModel | dict[str, Any]) -> None:
        """The app's structured result: its own pydantic model, or a JSON object."""
        await self.send(EventType.RESULT, ResultPayload.of(result))

    async def send(self, type_: EventType, payload: AnyPayload) -> None:
        """Emit any typed payload (the methods above are the usual way in)."""
        await self._emit(type_, payload)


Pipeline = Callable[[RunContext], Awaitable[None]]


class Subscriber:
    """One reader of a run's events, with a bounded buffer.

    A reader that falls `capacity` events behind is dropped (its stream closes and it may resume
    from the event log) instead of stalling the run or growing memory without bound. A plain
    list and one future while the reader waits: a reader per open stream is held by the
    thousand, and an `asyncio.Queue` (four deques and an Event) weighs several times more.
    """

    __slots__ = ("capacity", "overflowed", "_pending", "_waiter")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.overflowed = False
        self._pending: list[Event] = []
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        """Events offered and not yet taken."""
        return len(self._pending)

    def offer(self, event: Event) -> None:
        if self.overflowed:
            return
        if len(self._pending) >= self.capacity:
            self.overflowed = True
        else:
            self._pending.append(event)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def take(self) -> list[Event]:
        """Every event offered since the last take, waiting for one if there are none.

        Empty only once the reader has overflowed and taken all it was given.
        """
        while not self._pending and not self.overflowed:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        taken, self._pending = self._pending, []
        return taken
