"""The runtime: starts runs, keeps each one's events to itself, and ends every one cleanly.

It enforces the invariants the API promises:
- one run per session at a time (a lease in the shared store, so it holds across replicas);
- every run's events go to its own log and its own subscribers, numbered 1, 2, 3 …;
- every run ends with exactly one `complete` or `error`, whatever happens;
- a run whose last reader left is cancelled, or with policy `detach`, cancelled after a grace
  period in which a reader may come back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Literal

from booth.core.errors import BoothError, ErrorCode
from booth.core.eventlog.base import EventLog
from booth.core.events import Event, EventType
from booth.core.ids import new_run_id
from booth.core.observability import Metrics, Stopwatch, redact, run_id_var, session_id_var
from booth.core.payloads import CompletePayload, ErrorPayload, ResultPayload, StatusPayload
from booth.core.resilience import AdmissionControl
from booth.core.runs import Pipeline, RunContext, Subscriber
from booth.core.sessions.base import SessionStore

log = logging.getLogger("booth.runtime")

DisconnectPolicy = Literal["cancel", "detach"]
BusyPolicy = Literal["reject", "enqueue"]


@dataclass(frozen=True)
class RunLimits:
    deadline: float = 120.0
    retention: float = 300.0
    disconnect_policy: DisconnectPolicy = "cancel"
    detach_grace: float = 30.0
    busy_policy: BusyPolicy = "reject"
    queue_size: int = 1024
    shutdown_grace: float = 5.0


class Run:
    """One executing run in this process: its task, its sequence counter, its readers."""

    def __init__(
        self, run_id: str, session_id: str, app: str, log_: EventLog, metrics: Metrics
    ) -> None:
        self.id = run_id
        self.session_id = session_id
        self.app = app
        self.task: asyncio.Task[None] | None = None
        self.subscribers: set[Subscriber] = set()
        self.done = asyncio.Event()
        self.cancel_code: ErrorCode | None = None
        self._log = log_
        self._metrics = metrics
        self._seq = 0
        self._lock = asyncio.Lock()
        self._detach_timer: asyncio.TimerHandle | None = None
        self.ended = False  # the terminal event is out
        self.finishing = False  # the pipeline is over; only the terminal event is left to send

    async def emit(
        self, type_: EventType, data: dict[str, Any], *, private: dict[str, Any] | None = None
    ) -> None:
        """Append an event to the log and hand it to every reader.

        `private` fields reach the live readers but not the log (the session token in the first
        `status` event must not sit in a shared log).
        """
        async with self._lock:
            if self.ended:
                return
            self._seq += 1
            event = Event(self._seq, type_, data)
            if event.terminal:
                self.ended = True
            await self._log.append(self.id, event)
            self._metrics.count_event(type_.value)
            live = Event(event.seq, type_, {**data, **private}) if private else event
            for subscriber in self.subscribers:
                subscriber.offer(live)

    def cancel(self, code: ErrorCode) -> None:
        """Stop the run; its stream ends with `error <code>`. Nothing to do once it has ended."""
        if self.finishing or self.cancel_code is not None:
            return
        if self.task is not None and not self.task.done():
            self.cancel_code = code
            self.task.cancel()


class Runtime:
    def __init__(
        self,
        *,
        sessions: SessionStore,
        event_log: EventLog,
        admission: AdmissionControl,
        metrics: Metrics,
        limits: RunLimits = RunLimits(),
    ) -> None:
        self.sessions = sessions
        self.event_log = event_log
        self.admission = admission
        self.metrics = metrics
        self.limits = limits
        self.runs: dict[str, Run] = {}
        self.closing = False
        self._cancel_listener: asyncio.Task[None] | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    async def startup(self) -> None:
        self._cancel_listener = asyncio.create_task(self._listen_for_cancels())

    async def _listen_for_cancels(self) -> None:
        try:
            async for run_id in self.event_log.cancel_requests():
                run = self.runs.get(run_id)
                if run is not None:
                    run.cancel(ErrorCode.CANCELLED)
        except asyncio.CancelledError:
            raise
        except Exception:  # the listener must not take the server down with it
            log.exception("cancel listener stopped")

    def begin_shutdown(self) -> None:
        """Refuse new runs and end every live one with `error SHUTTING_DOWN`."""
        if not self.closing:
            log.info("shutting down: ending %d live runs", len(self.runs))
        self.closing = True
        for run in list(self.runs.values()):
            run.cancel(ErrorCode.SHUTTING_DOWN)

    async def shutdown(self) -> None:
        self.begin_shutdown()
        tasks = [run.task for run in self.runs.values() if run.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=self.limits.shutdown_grace)
        if self._cancel_listener is not None:
            self._cancel_listener.cancel()

    # -- starting a run -----------------------------------------------------------------------
    async def start(
        self,
        *,
        app: str,
        session_id: str,
        pipeline: Pipeline,
        client: str | None = None,
        include_thoughts: bool = True,
        status: dict[str, Any] | None = None,
        private_status: dict[str, Any] | None = None,
        busy_policy: BusyPolicy | None = None,
        query: str | None = None,
    ) -> tuple[Run, Subscriber]:
        """Admit, lease the session, and start the pipeline; returns the run and its first reader.

        Raises BoothError (SHUTTING_DOWN, RATE_LIMITED, BUSY) before anything is started.
        """
        if self.closing:
            self.metrics.rejections.labels("shutting_down").inc()
            raise BoothError(ErrorCode.SHUTTING_DOWN, "The server is shutting down; retry shortly.")
        try:
            self.admission.admit(client)
        except BoothError:
            self.metrics.rejections.labels("rate_limited").inc()
            raise
        run_id = new_run_id()
        try:
            await self._lease(session_id, run_id, busy_policy or self.limits.busy_policy)
        except BaseException:
            self.admission.release(client)
            raise
        run = Run(run_id, session_id, app, self.event_log, self.metrics)
        subscriber = Subscriber(self.limits.queue_size)
        run.subscribers.add(subscriber)
        try:
            await self.event_log.open(
                run_id,
                {"session_id": session_id, "app": app, "started": time.time()},
                ttl=self.limits.deadline + self.limits.detach_grace + self.limits.retention,
            )
        except BaseException:
            self.admission.release(client)
            await self.sessions.release_lease(session_id, run_id)
            raise
        self.runs[run_id] = run
        ctx = RunContext(
            run_id=run_id,
            session_id=session_id,
            app=app,
            sessions=self.sessions,
            emit=run.emit,
            deadline=time.monotonic() + self.limits.deadline,
            include_thoughts=include_thoughts,
            client_ip=client,
        )
        first = StatusPayload.model_validate(
            {"status": "started", "message": f"{app} run started", **(status or {})}
            | {"run_id": run_id, "session_id": session_id}
        )
        session_token = session_id_var.set(session_id)
        run_token = run_id_var.set(run_id)
        try:
            log.info("run started: %s, query %r", app, redact(query))
            run.task = asyncio.create_task(
                self._execute(run, ctx, pipeline, client, first, private_status)
            )
        finally:
            session_id_var.reset(session_token)
            run_id_var.reset(run_token)
        return run, subscriber

    async def _lease(self, session_id: str, run_id: str, policy: BusyPolicy) -> None:
        ttl = self.limits.deadline + self.limits.detach_grace + 5
        give_up = time.monotonic() + self.limits.deadline
        while await self.sessions.acquire_lease(session_id, run_id, ttl) is None:
            if policy == "reject" or time.monotonic() > give_up or self.closing:
                self.metrics.rejections.labels("busy").inc()
                raise BoothError(
                    ErrorCode.BUSY,
                    "This session already has a run in progress; wait for it to finish.",
                    retry_after=1.0,
                )
            await asyncio.sleep(0.05)

    async def _execute(
        self,
        run: Run,
        ctx: RunContext,
        pipeline: Pipeline,
        client: str | None,
        first: StatusPayload,
        private_status: dict[str, Any] | None,
    ) -> None:
        clock = Stopwatch()
        self.metrics.active_runs.labels(run.app).inc()
        ending: BoothError | None = None
        try:
            await run.emit(EventType.STATUS, first.wire(), private=private_status)
            async with asyncio.timeout(self.limits.deadline):
                await pipeline(ctx)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
            code = run.cancel_code or ErrorCode.CANCELLED
            message = (
                "The server is shutting down; retry shortly."
                if code is ErrorCode.SHUTTING_DOWN
                else "The run was cancelled."
            )
            ending = BoothError(code, message)
        except TimeoutError:
            ending = BoothError(
                ErrorCode.TIMEOUT, f"The run passed its {self.limits.deadline:g} s deadline."
            )
        except BoothError as error:
            ending = error
        except Exception:
            log.exception("run failed")
            ending = BoothError(
                ErrorCode.PIPELINE_ERROR, "The run failed unexpectedly; retry.", retryable=True
            )
        run.finishing = True
        outcome = "complete" if ending is None else ending.code.value.lower()
        try:
            # The lease goes first, so a client that reacts to the terminal event with a
            # follow-up at once finds the session free.
            await self._release_lease(run)
            if ending is None:
                await run.emit(EventType.COMPLETE, CompletePayload(duration_ms=clock.ms).wire())
            else:
                await run.emit(EventType.ERROR, ErrorPayload.of(ending).wire())
        finally:
            run.done.set()
            self.runs.pop(run.id, None)
            self.admission.release(client)
            self.metrics.active_runs.labels(run.app).dec()
            self.metrics.runs.labels(run.app, outcome).inc()
            self.metrics.run_duration.labels(run.app).observe(clock.ms / 1000)
            if run._detach_timer is not None:
                run._detach_timer.cancel()
            await self.event_log.finish(run.id, self.limits.retention)
            log.info("run ended: %s in %d ms", outcome, clock.ms)

    async def _release_lease(self, run: Run) -> None:
        try:
            await self.sessions.release_lease(run.session_id, run.id)
        except Exception:  # the lease expires by itself; the stream must still end
            log.exception("could not release the session lease")

    # -- reading a run ------------------------------------------------------------------------
    async def batches(
        self, run: Run, subscriber: Subscriber, after: int = 0, replay: bool = True
    ) -> AsyncGenerator[list[Event], None]:
        """Events of a local run after `after`, replayed from the log then live, to the end.

        Events come in batches: whatever has queued up since the reader last looked, so a fast
        run reaches the client in few writes. The reader that started the run passes
        `replay=False`: its queue has held every event from the first. When the reader goes
        away (the iterator is closed) the disconnect policy applies.
        """
        last = after
        try:
            if replay:
                backlog = await self.event_log.read(run.id, after)
                if backlog:
                    last = backlog[-1].seq
                    yield backlog
                    if backlog[-1].terminal:
                        return
            queue = subscriber.queue
            while True:
                if subscriber.overflowed and queue.empty():
                    self.metrics.dropped_streams.inc()
                    return
                batch = [await queue.get()]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                batch = [event for event in batch if event.seq > last]
                if not batch:
                    continue
                last = batch[-1].seq
                yield batch
                if batch[-1].terminal:
                    return
        finally:
            self._leave(run, subscriber)

    async def events(
        self, run: Run, subscriber: Subscriber, after: int = 0, replay: bool = True
    ) -> AsyncGenerator[Event, None]:
        """`batches`, one event at a time."""
        async for batch in self.batches(run, subscriber, after, replay):
            for event in batch:
                yield event

    def attach(self, run: Run) -> Subscriber:
        subscriber = Subscriber(self.limits.queue_size)
        run.subscribers.add(subscriber)
        if run._detach_timer is not None:
            run._detach_timer.cancel()
            run._detach_timer = None
        return subscriber

    def _leave(self, run: Run, subscriber: Subscriber) -> None:
        run.subscribers.discard(subscriber)
        if run.subscribers or run.done.is_set():
            return
        if self.limits.disconnect_policy == "cancel":
            log.info("last reader left: cancelling run %s", run.id)
            run.cancel(ErrorCode.CANCELLED)
        else:
            loop = asyncio.get_running_loop()
            run._detach_timer = loop.call_later(
                self.limits.detach_grace, run.cancel, ErrorCode.CANCELLED
            )

    async def follow_remote(self, run_id: str, after: int) -> AsyncGenerator[list[Event], None]:
        """Batches of a run owned by another process, through the shared event log."""
        last = after
        while True:
            batch = await self.event_log.follow(run_id, last, timeout=1.0)
            if batch:
                terminal = next((i for i, e in enumerate(batch) if e.terminal), None)
                if terminal is not None:
                    yield batch[: terminal + 1]
                    return
                last = batch[-1].seq
                yield batch
                continue
            meta = await self.event_log.meta(run_id)
            lost = meta is None or (
                time.time() - meta.get("started", 0)
                > self.limits.deadline + self.limits.detach_grace + 10
            )
            if lost:
                error = BoothError(ErrorCode.INTERNAL, "The run was lost with its server.")
                yield [Event.of(last + 1, EventType.ERROR, ErrorPayload.of(error))]
                return

    async def stream_batches(
        self, run_id: str, after: int = 0
    ) -> AsyncGenerator[list[Event], None]:
        """Resume any run, local or remote, from `after` (the client's Last-Event-ID)."""
        run = self.runs.get(run_id)
        source = (
            self.batches(run, self.attach(run), after)
            if run is not None
            else self.follow_remote(run_id, after)
        )
        async for batch in source:
            yield batch

    async def stream(self, run_id: str, after: int = 0) -> AsyncGenerator[Event, None]:
        """`stream_batches`, one event at a time."""
        async for batch in self.stream_batches(run_id, after):
            for event in batch:
                yield event

    async def cancel(self, run_id: str) -> None:
        run = self.runs.get(run_id)
        if run is not None:
            run.cancel(ErrorCode.CANCELLED)
        else:
            await self.event_log.request_cancel(run_id)

    async def collect(self, run: Run, subscriber: Subscriber) -> list[Event]:
        """Every event of a run, for callers that want one JSON answer rather than a stream."""
        return [event async for event in self.events(run, subscriber, replay=False)]

    async def outcome(self, run: Run, subscriber: Subscriber) -> ResultPayload:
        """The run's `result`, or the BoothError it ended with: a JSON endpoint in one call.

        The session's lease is released before the terminal event, so a follow-up sent as soon
        as this returns finds the session free.
        """
        result: ResultPayload | None = None
        async for event in self.events(run, subscriber, replay=False):
            payload = event.payload()
            if isinstance(payload, ErrorPayload):
                raise payload.to_error()
            if isinstance(payload, ResultPayload):
                result = payload
        if result is None:
            raise BoothError(
                ErrorCode.PIPELINE_ERROR, "The run ended without a result.", retryable=True
            )
        return result
