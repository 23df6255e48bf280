"""The FastAPI application: wires settings, stores, the runtime, app routers and the UI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from booth.agents.app import BoothApp, RouterFactory
from booth.config import Settings
from booth.core import heap, openapi
from booth.core.bodylimit import BodyLimit
from booth.core.clients import TrustedProxies
from booth.core.errors import BoothError, ErrorCode
from booth.core.host import Host, request_token
from booth.core.observability import Metrics, configure_logging
from booth.core.resilience import AdmissionControl, BreakerState
from booth.core.runtime import RunLimits, Runtime
from booth.core.sessions.access import SessionAccess, SessionAuth
from booth.core.sessions.base import Expiry
from booth.core.sse import event_stream, sse_headers
from booth.core.stores import build_stores
from booth.llm import install_llm, llm_of
from booth.providers.web import install_search, web_of
from booth.ui.lazy import UI_PATH, lazy_ui

log = logging.getLogger("booth.server")


def default_apps() -> list[BoothApp]:
    """The bundled apps, Fit Check and Music (their routes, and each as a hosted agent)."""
    from booth.agents.builtin import builtin_apps

    return builtin_apps()


MAX_REPORTED_PROBLEMS = 10  # a body with thousands of bad fields gets a short answer
MAX_EVENT_ID = 2**53  # a Last-Event-ID above any real event number means "past the end"


def default_routers() -> list[RouterFactory]:
    """The bundled apps' own routes."""
    return [app.routes for app in default_apps() if app.routes is not None]


def app_routers(
    routers: Sequence[RouterFactory] | None, apps: Sequence[BoothApp], settings: Settings
) -> list[RouterFactory]:
    """Every router to mount: the apps' own routes and one for the hosted agents.

    `routers=None` means the bundled apps; the hosted ones come from `apps` and `--app`
    (`settings.apps`).
    """
    from booth.agents.hosting import agents_router
    from booth.agents.loader import load_apps

    bundled = default_apps() if routers is None else []
    hosted = [*bundled, *apps, *load_apps(settings.apps)]
    names = [app.name for app in hosted]
    if len(set(names)) != len(names):
        raise ValueError(f"app names must be unique: {', '.join(names)}")
    factories = list(routers or [])
    factories += [app.routes for app in hosted if app.routes is not None]
    return [*factories, agents_router(hosted)]


# Headers a browser page on another origin may read (session, run, back-off).
EXPOSED_HEADERS = ["X-Session-ID", "X-Session-Token", "X-Run-ID", "Retry-After"]
ALLOWED_HEADERS = ["Content-Type", "Accept", "X-Session-ID", "X-Session-Token", "Last-Event-ID"]


def add_cors(app: FastAPI, origins: Sequence[str]) -> None:
    """CORS for the listed origins (res_web's page runs on another origin); none by default."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
    )


def parse_last_event_id(raw: str | None) -> int:
    """The number of the last event a client saw: a non-negative integer, else a 400."""
    if not raw:
        return 0
    value = raw
    if not value.isascii() or not value.isdigit():
        raise BoothError(
            ErrorCode.INVALID_QUERY,
            "Last-Event-ID must be a non-negative integer (the id of the last event seen).",
            status=400,
        )
    return min(int(value[:20]), MAX_EVENT_ID)


def error_response(error: BoothError, headers: dict[str, str] | None = None) -> JSONResponse:
    headers = dict(headers or {})
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return JSONResponse(error.body(), status_code=error.http_status, headers=headers)


# The framework's own HTTP errors (unknown path, wrong method …) as booth error codes.
FRAMEWORK_CODES = {
    400: ErrorCode.INVALID_QUERY,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.INVALID_QUERY,
    413: ErrorCode.INVALID_QUERY,
    415: ErrorCode.INVALID_QUERY,
    422: ErrorCode.INVALID_QUERY,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.UPSTREAM_UNAVAILABLE,
}
FRAMEWORK_MESSAGES = {
    404: "No such endpoint.",
    405: "This endpoint does not accept that method.",
}
# Validation error types that mean the body could not be parsed at all: 400, not 422.
PARSE_ERRORS = {"json_invalid", "json_type", "missing_body"}


def framework_error(exc: StarletteHTTPException) -> JSONResponse:
    code = FRAMEWORK_CODES.get(exc.status_code, ErrorCode.INTERNAL)
    message = FRAMEWORK_MESSAGES.get(exc.status_code) or str(exc.detail)
    error = BoothError(code, message, retryable=False, status=exc.status_code)
    return error_response(error, headers=dict(exc.headers or {}))


def validation_error(exc: RequestValidationError) -> BoothError:
    unparseable = any(err.get("type") in PARSE_ERRORS for err in exc.errors())
    if unparseable:
        return BoothError(
            ErrorCode.INVALID_QUERY,
            "The body is not valid JSON: " + validation_message(exc),
            status=400,
        )
    return BoothError(ErrorCode.INVALID_QUERY, validation_message(exc))


def validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:MAX_REPORTED_PROBLEMS]:
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
        lease_ttl=settings.lease_ttl,
        lease_renew_every=settings.lease_renew_every,
    )
    stores = build_stores(
        settings.store,
        Expiry(settings.session_idle_ttl, settings.session_max_age),
        memory_max_sessions=settings.memory_max_sessions,
        event_ttl_ceiling=limits.deadline + limits.detach_grace + limits.retention,
        timeout=settings.store_timeout,
        retention_bytes=settings.run_retention_bytes,
    )
    if hasattr(stores.sessions, "on_evict"):  # the memory store's LRU cap
        stores.sessions.on_evict = metrics.evictions.inc
    admission = AdmissionControl(
        settings.max_runs,
        settings.max_runs_per_client,
        shared=stores.client_slots,
        slot_ttl=settings.lease_ttl,
    )
    runtime = Runtime(
        sessions=stores.sessions,
        event_log=stores.event_log,
        admission=admission,
        metrics=metrics,
        limits=limits,
        log_user_text=settings.log_user_text,
    )
    host = Host(
        runtime=runtime,
        sessions=stores.sessions,
        metrics=metrics,
        heartbeat=settings.heartbeat,
        data_dir=settings.data_dir,
        access=SessionAccess(SessionAuth(settings.session_auth)),
        proxies=TrustedProxies.parse(settings.trusted_proxies),
    )
    install_llm(host, settings)
    install_search(host, settings)
    return host


def create_app(
    settings: Settings | None = None,
    routers: Sequence[RouterFactory] | None = None,
    apps: Sequence[BoothApp] = (),
) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_format, settings.log_level)
    metrics = Metrics()
    factories = app_routers(routers, apps, settings)
    known = [*(default_apps() if routers is None else []), *apps]
    for app_ in known:  # their metrics series exist from start-up, at 0
        metrics.declare_app(app_.name)

    host = build_host(settings, metrics)
    runtime = host.runtime
    ui = lazy_ui(host, settings) if settings.ui else None  # Gradio loads once serving

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await runtime.startup()
        heap.settle()  # what create_app built lives as long as the process
        sweeper = asyncio.create_task(sweep(host, settings.sweep_interval))
        log.info("booth ready (store=%s)", settings.store.split("@")[-1])
        try:
            async with ui.running(app) if ui else contextlib.nullcontext():
                yield
        finally:
            sweeper.cancel()
            await runtime.shutdown()
            with contextlib.suppress(Exception):
                await host.close()
            for upstream in (llm_of(host), web_of(host)):
                if upstream is not None:
                    await upstream.close()

    app = FastAPI(
        title="booth",
        version="0.1.0",
        description="A multi-user AI agent server: every user gets a private booth.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.host = host
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    add_cors(app, settings.cors_origins)  # outermost: refusals carry CORS headers too
    for factory in factories:
        app.include_router(factory(host, settings))

    @app.exception_handler(BoothError)
    async def on_booth_error(request: Request, exc: BoothError):
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError):
        return error_response(validation_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException):
        return framework_error(exc)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(BoothError(ErrorCode.INTERNAL, "Unexpected server error."))

    @app.get("/", include_in_schema=False)
    async def root():
        return RedirectResponse(UI_PATH if settings.ui else "/docs")

    @app.get("/health", tags=["ops"], responses={503: {"description": "The store is down"}})
    async def health():
        """`healthy`, or `degraded`: 503 while the store is down, 200 if a breaker is open."""
        try:
            store_ok = await asyncio.wait_for(host.sessions.ping(), settings.store_timeout)
        except Exception:
            store_ok = False
        breakers = {name: b.state.value for name, b in host.breakers.items()}
        healthy = store_ok and all(s == BreakerState.CLOSED for s in breakers.values())
        body = {
            "status": "healthy" if healthy else "degraded",
            "store": {"backend": settings.store.split(":")[0], "reachable": store_ok},
            "breakers": breakers,
            "active_runs": len(host.runtime.runs),
            "shutting_down": host.runtime.closing,
        }
        return JSONResponse(body, status_code=200 if store_ok else 503)

    @app.get("/metrics", tags=["ops"], responses=openapi.TEXT_RESPONSE | openapi.ANY)
    async def prometheus_metrics():
        with contextlib.suppress(Exception):
            await refresh_gauges(host)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get(
        "/api/runs/{run_id}/events",
        tags=["runs"],
        responses=openapi.SSE_RESPONSE | openapi.errors(400) | openapi.SESSION_READ,
    )
    async def run_events(
        run_id: str,
        request: Request,
        last_event_id: str = Header(
            "",
            description="The id of the last event seen (a non-negative integer)",
            json_schema_extra=openapi.EVENT_ID_SCHEMA,
        ),
        after: str = Query(
            "",
            description="Same as Last-Event-ID, for EventSource",
            json_schema_extra=openapi.EVENT_ID_SCHEMA,
        ),
    ):
        """Replay what was missed after `Last-Event-ID`, then follow the live run to its end."""
        seen = parse_last_event_id(last_event_id or after)
        meta = await host.runtime.event_log.meta(run_id)
        if meta is None:
            raise BoothError(ErrorCode.NOT_FOUND, "No such run (it may have expired).")
        await host.authorize(meta["session_id"], request_token(request))
        return event_stream(
            host.runtime.stream_batches(run_id, seen),
            headers=sse_headers(run_id, meta["session_id"]),
            heartbeat=host.heartbeat,
            on_shutdown=host.shutdown_hook,
            shutdown_grace=host.runtime.limits.shutdown_grace,
        )

    @app.post("/api/runs/{run_id}/cancel", tags=["runs"], responses=openapi.SESSION_READ)
    async def cancel_run(run_id: str, request: Request):
        meta = await host.runtime.event_log.meta(run_id)
        if meta is None:
            raise BoothError(ErrorCode.NOT_FOUND, "No such run (it may have expired).")
        await host.authorize(meta["session_id"], request_token(request))
        if meta.get("done"):
            return {"run_id": run_id, "cancelled": False, "reason": "already finished"}
        await host.runtime.cancel(run_id)
        return {"run_id": run_id, "cancelled": True}

    if ui:
        app.mount(UI_PATH, ui)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (used by `booth serve --workers N`)."""
    return create_app(Settings())
