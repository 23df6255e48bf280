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
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from booth.core.errors import BoothError, ErrorCode
from booth.core.eventlog.base import EventLog
from booth.core.events import Event, EventType
from booth.core.ids import new_run_id
from booth.core.observability import (
    Metrics,
    Stopwatch,
    describe_text,
    run_id_var,
    session_id_var,
)
from booth.core.payloads import (
    AnyPayload,
    CompletePayload,
    ErrorPayload,
    ResultPayload,
    StatusPayload,
)
from booth.core.resilience import AdmissionControl, Slot
from booth.core.runs import Pipeline, RunContext, Subscriber
from booth.core.sessions.base import SessionStore

log = logging.getLogger("booth.runtime")

CANCEL_MESSAGES = {
    ErrorCode.SHUTTING_DOWN: "The server is shutting down; retry shortly.",
    ErrorCode.UPSTREAM_UNAVAILABLE: "The run lost its session lease (the store was unreachable "
    "too long); retry.",
}
ORPHAN_MESSAGE = "The server running this run stopped; retry."

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
    # A run's session lease (and its "alive" mark in the event log) lasts `lease_ttl` seconds
    # and is renewed every `lease_renew_every`; a crashed replica's sessions and runs are
    # free, or known lost, within about `lease_ttl` seconds.
    lease_ttl: float = 5.0
    lease_renew_every: float = 1.5
    cancel_resubscribe_after: float = 0.5  # seconds before the cancel listener reconnects
    follow_poll: float = 1.0  # seconds a remote reader waits for events before checking on the run

    def __post_init__(self) -> None:
        if self.lease_renew_every >= self.lease_ttl:
            raise ValueError("lease_renew_every must be shorter than lease_ttl, or leases lapse")


class Run:
    """One executing run in this process: its task, its sequence counter, its readers.

    Slotted, with no Event of its own (`finished` awaits the task): one is held per open stream.
    """

    __slots__ = (
        "id",
        "session_id",
        "app",
        "slot",
        "task",
        "subscribers",
        "cancel_code",
        "ended",
        "finishing",
        "_log",
        "_metrics",
        "_seq",
        "_lock",
        "_detach_timer",
    )

    def __init__(
        self,
        run_id: str,
        session_id: str,
        app: str,
        log_: EventLog,
        metrics: Metrics,
        slot: Slot,
    ) -> None:
        self.id = run_id
        self.session_id = session_id
        self.app = app
        self.slot = slot  # its admission slot, renewed with its lease
        self.task: asyncio.Task[None] | None = None
        self.subscribers: set[Subscriber] = set()
        self.cancel_code: ErrorCode | None = None
        self._log = log_
        self._metrics = metrics
        self._seq = 0
        self._lock = asyncio.Lock()
        self._detach_timer: asyncio.TimerHandle | None = None
        self.ended = False  # the terminal event is out
        self.finishing = False  # the pipeline is over; only the terminal event is left to send

    async def emit(
        self, type_: EventType, payload: AnyPayload, *, private: dict[str, Any] | None = None
    ) -> None:
        """Append an event to the log and hand it to every reader.

        `private` fields reach the live readers but not the log (the session token in the first
        `status` event must not sit in a shared log).
        """
        async with self._lock:
            if self.ended:
                return
            self._seq += 1
            event = Event.of(self._seq, type_, payload)
            live = (
                Event.of(event.seq, type_, payload.model_copy(update=private)) if private else event
            )
            self._metrics.count_event(type_.value)
            if event.terminal:
                # The end reaches the live readers from memory first, whatever the log does.
                self.ended = True
                self._offer(live)
                try:
                    await self._log.append(self.id, event)
                except Exception as exc:
                    log.warning("the terminal event could not be logged: %s", exc)
                return
            try:
                await self._log.append(self.id, event)
            finally:  # logged or not, live readers get it (the run then ends with the error)
                self._offer(live)

    async def finished(self) -> None:
        """Wait until the run is over here: its terminal event out, its lease and slot freed."""
        if self.task is not None:
            await asyncio.shield(self.task)

    @property
    def seq(self) -> int:
        """The number of the last event emitted."""
        return self._seq

    def _offer(self, event: Event) -> None:
        for subscriber in self.subscribers:
            subscriber.offer(event)

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
        log_user_text: bool = False,
    ) -> None:
        self.log_user_text = log_user_text
        self.sessions = sessions
        self.event_log = event_log
        self.admission = admission
        self.metrics = metrics
        self.limits = limits
        self.runs: dict[str, Run] = {}
        self.closing = False
        self._cancel_listener: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None  # while runs execute (`_keep_alive`)

    # -- lifecycle ----------------------------------------------------------------------------
    async def startup(self) -> None:
        self._cancel_listener = asyncio.create_task(self._listen_for_cancels())

    async def _listen_for_cancels(self) -> None:
        """Act on cancellations other replicas ask for; resubscribe whenever the feed drops.

        A request sent while the feed was down still lands: the owner's lease renewal also
        reads the durable cancel flag (see `_renew`).
        """
        while True:
            try:
                async for run_id in self.event_log.cancel_requests():
                    run = self.runs.get(run_id)
                    if run is not None:
                        run.cancel(ErrorCode.CANCELLED)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the listener must not take the server down with it
                log.warning(
                    "cancel listener dropped (%s); resubscribing", str(exc) or type(exc).__name__
                )
            await asyncio.sleep(self.limits.cancel_resubscribe_after)

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
        for task in (self._cancel_listener, self._renewer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

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
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> tuple[Run, Subscriber]:
        """Admit, lease the session, and start the pipeline; returns the run and its first reader.

        Admission comes first: a request turned away (SHUTTING_DOWN, RATE_LIMITED) has created
        and changed nothing. Only then `prepare` runs (it creates a new session in the store),
        then the lease is taken (BUSY). Raises BoothError before anything is started.
        """
        if self.closing:
            self.metrics.rejections.labels("shutting_down").inc()
            raise BoothError(ErrorCode.SHUTTING_DOWN, "The server is shutting down; retry shortly.")
        try:
            slot = await self.admission.admit(client)
        except BoothError as error:
            if error.code is ErrorCode.RATE_LIMITED:
                self.metrics.rejections.labels("rate_limited").inc()
            raise
        run_id = new_run_id()
        try:
            if prepare is not None:
                await prepare()
            await self._lease(session_id, run_id, busy_policy or self.limits.busy_policy)
        except BaseException:
            await self.admission.release(slot)
            raise
        run = Run(run_id, session_id, app, self.event_log, self.metrics, slot)
        subscriber = Subscriber(self.limits.queue_size)
        run.subscribers.add(subscriber)
        try:
            await self.event_log.open(
                run_id,
                {"session_id": session_id, "app": app, "started": time.time()},
                ttl=self.limits.deadline + self.limits.detach_grace + self.limits.retention,
            )
            await self.event_log.beat(run_id, self.limits.lease_ttl)
        except BaseException:
            await self.admission.release(slot)
            await self._release_lease(session_id, run_id)
            raise
        self.runs[run_id] = run
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.create_task(self._keep_alive())
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
            log.info("run started: %s, query %s", app, describe_text(query, self.log_user_text))
            run.task = asyncio.create_task(self._execute(run, ctx, pipeline, first, private_status))
        finally:
            session_id_var.reset(session_token)
            run_id_var.reset(run_token)
        return run, subscriber

    async def _lease(self, session_id: str, run_id: str, policy: BusyPolicy) -> None:
        ttl = self.limits.lease_ttl
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
        first: StatusPayload,
        private_status: dict[str, Any] | None,
    ) -> None:
        clock = Stopwatch()
        self.metrics.active_runs.labels(run.app).inc()
        ending: BoothError | None = None
        try:
            await run.emit(EventType.STATUS, first, private=private_status)
            del first, private_status  # sent; not kept for the life of the run
            async with asyncio.timeout(self.limits.deadline):
                await pipeline(ctx)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None:
                current.uncancel()
            code = run.cancel_code or ErrorCode.CANCELLED
            ending = BoothError(code, CANCEL_MESSAGES.get(code, "The run was cancelled."))
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
        run.finishing = True  # from here on the lease is not renewed (see `_renew`)
        outcome = "complete" if ending is None else ending.code.value.lower()
        try:
            # The lease goes first, so a client that reacts to the terminal event with a
            # follow-up at once finds the session free.
            await self._release_lease(run.session_id, run.id)
            if ending is None:
                await run.emit(EventType.COMPLETE, CompletePayload(duration_ms=clock.ms))
            else:
                await run.emit(EventType.ERROR, ErrorPayload.of(ending))
        finally:
            self.runs.pop(run.id, None)
            if not self.runs and self._renewer is not None:
                self._renewer.cancel()  # the last run here is over; `start` begins another
                self._renewer = None
            await self.admission.release(run.slot)
            self.metrics.active_runs.labels(run.app).dec()
            self.metrics.runs.labels(run.app, outcome).inc()
            self.metrics.run_duration.labels(run.app).observe(clock.ms / 1000)
            if run._detach_timer is not None:
                run._detach_timer.cancel()
            try:
                await self.event_log.finish(run.id, self.limits.retention)
            except Exception as exc:  # its keys expire by themselves (the log's ttl ceiling)
                log.warning("could not mark the run finished in the event log: %s", exc)
            log.info("run ended: %s in %d ms", outcome, clock.ms)

    async def _keep_alive(self) -> None:
        """While any run executes here: renew every run's lease, admission slot and alive mark.

        One loop for all the runs of this process (a task per run would be held by every open
        stream); each beat renews them concurrently, so one slow renewal delays no other. The
        last run to end here stops it, and the next `start` begins another.
        """
        while self.runs:
            await asyncio.sleep(self.limits.lease_renew_every)
            runs = [run for run in self.runs.values() if not run.finishing]
            await asyncio.gather(*(self._renew(run) for run in runs))

    async def _renew(self, run: Run) -> None:
        """One run's beat. It also reads the durable cancel flag, so a cancellation asked for
        while the pub/sub feed was down still lands. A failed renewal is logged and retried on
        the next beat; a lease that is no longer ours (it lapsed while the store was away, and
        may have been taken since) ends the run. A run that starts finishing meanwhile is left
        alone: its lease is being released, and must not be renewed after that.
        """
        ttl = self.limits.lease_ttl
        try:
            if not await self.sessions.renew_lease(run.session_id, run.id, ttl):
                if not run.finishing:
                    log.warning("run %s lost its session lease; ending it", run.id)
                    run.cancel(ErrorCode.UPSTREAM_UNAVAILABLE)
                return
            if run.finishing:
                return
            if await self.event_log.beat(run.id, ttl):
                run.cancel(ErrorCode.CANCELLED)
            if not run.finishing:
                await self.admission.renew(run.slot)
        except Exception as exc:
            log.warning("could not renew run %s: %s", run.id, exc)

    async def _release_lease(self, session_id: str, run_id: str) -> None:
        try:
            await self.sessions.release_lease(session_id, run_id)
        except Exception as exc:  # the lease expires by itself; the stream must still end
            log.warning("could not release the session lease: %s", exc)

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
        last = min(after, run.seq)  # past the end: what exists from here on, never a hang
        try:
            if replay:
                try:
                    batch = await self.event_log.read(run.id, last)
                except BoothError as error:  # the log is unreachable: this reader ends here
                    yield [Event.of(last + 1, EventType.ERROR, ErrorPayload.of(error))]
                    return
                if batch:
                    last, ended = batch[-1].seq, batch[-1].terminal
                    yield batch
                    del batch
                    if ended:
                        return
            while True:
                batch = await subscriber.take()
                if not batch:  # it fell too far behind; it may resume from the log
                    self.metrics.dropped_streams.inc()
                    return
                batch = [event for event in batch if event.seq > last]
                if not batch:
                    continue
                last, ended = batch[-1].seq, batch[-1].terminal
                yield batch
                # An open stream waits here for most of its life: what it delivered is not
                # kept meanwhile (a result can weigh more than the rest of the stream).
                del batch
                if ended:
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
        if run.subscribers or run.finishing:
            return
        if self.limits.disconnect_policy == "cancel":
            log.info("last reader left: cancelling run %s", run.id)
            run.cancel(ErrorCode.CANCELLED)
        else:
            loop = asyncio.get_running_loop()
            run._detach_timer = loop.call_later(
                self.limits.detach_grace, run.cancel, ErrorCode.CANCELLED
            )

    async def follow_remote(self, run_id: str, after: int) -> AsyncIterator[list[Event]]:
        """Batches of a run this process does not own (another replica's, or a finished one).

        Ends with the run's own terminal event; with a proper end and nothing more when the
        reader has seen it already (or its log lost it); with one `error` when the store fails
        or the run's owner stopped beating (it crashed: see `_keep_alive`).
        """
        last = after
        try:
            last = await self._clamp_remote(run_id, after)
            while True:
                batch = await self.event_log.follow(run_id, last, timeout=self.limits.follow_poll)
                if batch:
                    terminal = next((i for i, e in enumerate(batch) if e.terminal), None)
                    if terminal is not None:
                        yield batch[: terminal + 1]
                        return
                    last = batch[-1].seq
                    yield batch
                    continue
                meta = await self.event_log.meta(run_id)
                if meta is not None and meta.get("done"):
                    async for rest in self._finished_rest(run_id, last):
                        yield rest
                    return
                if meta is None or not await self.event_log.alive(run_id):
                    lost = BoothError(ErrorCode.INTERNAL, ORPHAN_MESSAGE, retryable=True)
                    yield [Event.of(last + 1, EventType.ERROR, ErrorPayload.of(lost))]
                    return
        except BoothError as error:
            yield [Event.of(last + 1, EventType.ERROR, ErrorPayload.of(error))]

    async def _finished_rest(self, run_id: str, last: int) -> AsyncIterator[list[Event]]:
        """The end of a finished run's log after `last` (it landed between two reads).

        If the log holds no terminal event (it could not be written), the reader gets one.
        """
        rest = await self.event_log.read(run_id, last)
        end = next((i for i, e in enumerate(rest) if e.terminal), None)
        if end is not None:
            yield rest[: end + 1]
            return
        if rest:
            last = rest[-1].seq
            yield rest
        seen = await self.event_log.read(run_id, max(0, last - 1))
        if not seen or not seen[-1].terminal:
            lost = BoothError(
                ErrorCode.INTERNAL, "The run ended, but its last events were lost.", retryable=True
            )
            yield [Event.of(last + 1, EventType.ERROR, ErrorPayload.of(lost))]

    async def _clamp_remote(self, run_id: str, after: int) -> int:
        """`after`, or the last event's number when `after` is past the end of the log."""
        if after <= 0 or await self.event_log.read(run_id, after - 1):
            return after
        return len(await self.event_log.read(run_id, 0))

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
            del batch  # not kept while the next one is awaited (see `batches`)

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
