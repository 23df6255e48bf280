"""The FastAPI application: wires settings, stores, the runtime, app routers and the UI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from booth.config import Settings
from booth.core.errors import BoothError, ErrorCode
from booth.core.host import Host, request_token
from booth.core.observability import Metrics, configure_logging
from booth.core.resilience import AdmissionControl, BreakerState
from booth.core.runtime import RunLimits, Runtime
from booth.core.sessions.access import authorize
from booth.core.sessions.base import Expiry
from booth.core.sse import event_stream, sse_headers
from booth.core.stores import build_stores

log = logging.getLogger("booth.server")

RouterFactory = Callable[[Host, Settings], APIRouter]


def default_routers() -> list[RouterFactory]:
    """The bundled apps."""
    from booth.apps.fitcheck.router import create_router as fitcheck
    from booth.apps.music.router import create_router as music

    return [fitcheck, music]


def error_response(error: BoothError) -> JSONResponse:
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return JSONResponse({"error": error.payload()}, status_code=error.http_status, headers=headers)


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "Invalid request."


async def refresh_gauges(host: Host) -> None:
    """Gauges that are read off the stores and breakers rather than counted as they change."""
    host.metrics.active_sessions.set(await host.sessions.count())
    for name, breaker in host.breakers.items():
        host.metrics.breaker_state.labels(name).set(breaker.state != BreakerState.CLOSED)


async def sweep(host: Host, interval: float) -> None:
    """Purge expired sessions and run logs for good, on a timer."""
    while True:
        await asyncio.sleep(interval)
        try:
            gone = await host.sessions.purge_expired()
            await host.runtime.event_log.purge_expired()
            if gone:
                host.metrics.evictions.inc(gone)
            await refresh_gauges(host)
        except Exception:
            log.exception("expiry sweep failed")


def build_host(settings: Settings, metrics: Metrics | None = None) -> Host:
    """The runtime and stores the settings name, unstarted (`await host.runtime.startup()`)."""
    metrics = metrics or Metrics()
    limits = RunLimits(
        deadline=settings.run_deadline,
        retention=settings.run_retention,
        disconnect_policy=settings.disconnect_policy,
        detach_grace=settings.detach_grace,
        busy_policy=settings.busy_policy,
        queue_size=settings.stream_queue_size,
        shutdown_grace=settings.shutdown_grace,
    )
    stores = build_stores(
        settings.store,
        Expiry(settings.session_idle_ttl, settings.session_max_age),
        memory_max_sessions=settings.memory_max_sessions,
        event_ttl_ceiling=limits.deadline + limits.detach_grace + limits.retention,
    )
    if hasattr(stores.sessions, "on_evict"):  # the memory store's LRU cap
        stores.sessions.on_evict = metrics.evictions.inc
    runtime = Runtime(
        sessions=stores.sessions,
        event_log=stores.event_log,
        admission=AdmissionControl(settings.max_runs, settings.max_runs_per_client),
        metrics=metrics,
        limits=limits,
    )
    host = Host(
        runtime=runtime,
        sessions=stores.sessions,
        metrics=metrics,
        heartbeat=settings.heartbeat,
        data_dir=settings.data_dir,
    )

    return host


def create_app(
    settings: Settings | None = None, routers: Sequence[RouterFactory] | None = None
) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    metrics = Metrics()
    factories = list(default_routers() if routers is None else routers)

    host = build_host(settings, metrics)
    runtime = host.runtime

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await runtime.startup()
        sweeper = asyncio.create_task(sweep(host, settings.sweep_interval))
        log.info("booth ready (store=%s)", settings.store.split("@")[-1])
        try:
            yield
        finally:
            sweeper.cancel()
            await runtime.shutdown()
            with contextlib.suppress(Exception):
                await host.close()

    app = FastAPI(
        title="booth",
        version="0.1.0",
        description="A multi-user AI agent server: every user gets a private booth.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.host = host
    for factory in factories:
        app.include_router(factory(host, settings))

    @app.exception_handler(BoothError)
    async def on_booth_error(request: Request, exc: BoothError):
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError):
        return error_response(BoothError(ErrorCode.INVALID_QUERY, validation_message(exc)))

    @app.get("/", include_in_schema=False)
    async def root():
        return RedirectResponse("/ui" if settings.ui else "/docs")

    @app.get("/health", tags=["ops"])
    async def health():
        try:
            store_ok = await asyncio.wait_for(host.sessions.ping(), 2.0)
        except Exception:
            store_ok = False
        breakers = {name: b.state.value for name, b in host.breakers.items()}
        healthy = store_ok and all(s == BreakerState.CLOSED for s in breakers.values())
        body = {
            "status": "ok" if healthy else "degraded",
            "store": {"backend": settings.store.split(":")[0], "reachable": store_ok},
            "breakers": breakers,
            "active_runs": len(host.runtime.runs),
            "shutting_down": host.runtime.closing,
        }
        return JSONResponse(body, status_code=200 if store_ok else 503)

    @app.get("/metrics", tags=["ops"])
    async def prometheus_metrics():
        with contextlib.suppress(Exception):
            await refresh_gauges(host)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/api/runs/{run_id}/events", tags=["runs"])
    async def run_events(run_id: str, request: Request, last_event_id: str | None = Header(None)):
        """Replay what was missed after `Last-Event-ID`, then follow the live run."""
        meta = await host.runtime.event_log.meta(run_id)
        if meta is None:
            raise BoothError(ErrorCode.NOT_FOUND, "No such run (it may have expired).")
        await authorize(host.sessions, meta["session_id"], request_token(request))
        try:
            after = int(last_event_id or request.query_params.get("after") or 0)
        except ValueError:
            raise BoothError(ErrorCode.INVALID_QUERY, "Last-Event-ID must be a number.") from None
        return event_stream(
            host.runtime.stream_batches(run_id, after),
            headers=sse_headers(run_id, meta["session_id"]),
            heartbeat=host.heartbeat,
            on_shutdown=host.runtime.begin_shutdown,
            shutdown_grace=host.runtime.limits.shutdown_grace,
        )

    @app.post("/api/runs/{run_id}/cancel", tags=["runs"])
    async def cancel_run(run_id: str, request: Request):
        meta = await host.runtime.event_log.meta(run_id)
        if meta is None:
            raise BoothError(ErrorCode.NOT_FOUND, "No such run (it may have expired).")
        await authorize(host.sessions, meta["session_id"], request_token(request))
        if meta.get("done"):
            return {"run_id": run_id, "cancelled": False, "reason": "already finished"}
        await host.runtime.cancel(run_id)
        return {"run_id": run_id, "cancelled": True}

    if settings.ui:
        from booth.ui.app import mount_ui

        mount_ui(app, host, settings)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (used by `booth serve --workers N`)."""
    return create_app(Settings())
