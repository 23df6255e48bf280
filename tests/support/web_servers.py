"""Loopback stand-ins for the web: the Google Programmable Search JSON API, SearXNG, and pages.

Each is a real HTTP server (uvicorn in a thread) speaking the real protocol, with faults a test
can select, and a log of the requests it received.

    pages = PageServer({"/stripe": "<html>…</html>"}).start()
    google = GoogleSearchServer(lambda q: [Hit("Stripe jobs", pages.url + "/stripe", "…")]).start()
    settings = Settings(search_provider="google", google_cse_key="k", google_cse_id="cx",
                        google_cse_url=google.endpoint)
    google.fault = SearchFault("status", status=429, retry_after=2)   # until set back to None

Search faults: ``slow`` (delay), ``status`` (500, 429 + Retry-After), ``malformed`` (a 200 that
is not JSON), ``invalid`` (JSON of the wrong shape). "Gone" is `stop()`.
Page faults are paths: `/huge` streams without end, `/slow` trickles for 30 s, `/cut` drops the
connection mid-body, `/binary` is an image.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.servers import ThreadServer


@dataclass
class Hit:
    title: str
    url: str
    snippet: str = ""


@dataclass
class SearchFault:
    kind: Literal["slow", "status", "malformed", "invalid"]
    delay: float = 0.0
    status: int = 500
    retry_after: int | None = None


Results = Callable[[str], list[Hit]]


@dataclass
class _SearchServer(ABC):
    results: Results
    fault: SearchFault | None = None
    requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        routes = [Route("/health", self._health), Route(self.path, self._search)]
        self._server = ThreadServer(Starlette(routes=routes))  # type: ignore[arg-type]
        self.url = self._server.url
        self.endpoint = self.url + self.path

    path = "/search"

    def start(self) -> _SearchServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def _search(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.requests.append(params)
        fault = self.fault
        if fault and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        if fault and fault.kind == "status":
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            return JSONResponse(self.error_body(fault.status), fault.status, headers=headers)
        if fault and fault.kind == "malformed":
            return Response('{"items": [', media_type="application/json")
        if fault and fault.kind == "invalid":
            return JSONResponse({self.items_key: "not a list", "unexpected": True})
        problem = self.check(params)
        if problem:
            return JSONResponse(self.error_body(400, problem), 400)
        hits = self.results(params.get("q", ""))
        return JSONResponse(self.body(hits))

    items_key = "items"

    def check(self, params: dict[str, str]) -> str | None:
        return None if params.get("q") else "missing q"

    def error_body(self, status: int, message: str = "injected") -> dict[str, Any]:
        return {"error": {"code": status, "message": message}}

    @abstractmethod
    def body(self, hits: list[Hit]) -> dict[str, Any]:
        """The provider's JSON answer for these hits."""


class GoogleSearchServer(_SearchServer):
    """`GET /customsearch/v1?key=&cx=&q=&num=` → `{"items": [{"title", "link", "snippet"}]}`."""

    path = "/customsearch/v1"
    key = "test-key"
    engine_id = "test-cx"

    def check(self, params: dict[str, str]) -> str | None:
        if params.get("key") != self.key or params.get("cx") != self.engine_id:
            return "API key not valid. Please pass a valid API key."
        return super().check(params)

    def body(self, hits: list[Hit]) -> dict[str, Any]:
        items = [
            {"kind": "customsearch#result", "title": h.title, "link": h.url, "snippet": h.snippet}
            for h in hits
        ]
        return {"kind": "customsearch#search", "items": items}


class SearxngServer(_SearchServer):
    """`GET /search?q=&format=json` → `{"results": [{"title", "url", "content"}]}`."""

    items_key = "results"

    def check(self, params: dict[str, str]) -> str | None:
        return "format must be json" if params.get("format") != "json" else super().check(params)

    def body(self, hits: list[Hit]) -> dict[str, Any]:
        results = [
            {"title": h.title, "url": h.url, "content": h.snippet, "engine": "test"} for h in hits
        ]
        return {"query": "", "number_of_results": len(results), "results": results}


class PageServer:
    """Serves `pages` (path → HTML) plus the fault paths; records every path fetched."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = dict(pages)
        self.fetched: list[str] = []
        self.closed_early: list[str] = []
        routes = [Route("/health", self._health), Route("/{path:path}", self._page)]
        self._server = ThreadServer(Starlette(routes=routes))  # type: ignore[arg-type]
        self.url = self._server.url

    def start(self) -> PageServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> PageServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def _page(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        self.fetched.append(path)
        if path == "/huge":
            return StreamingResponse(self._endless(path), media_type="text/html")
        if path == "/slow":
            return StreamingResponse(self._trickle(path), media_type="text/html")
        if path == "/cut":
            return StreamingResponse(self._cut(), media_type="text/html")
        if path == "/binary":
            return Response(b"\x89PNG\r\n", media_type="image/png")
        if path not in self.pages:
            return Response("not found", 404)
        return Response(self.pages[path], media_type="text/html; charset=utf-8")

    async def _endless(self, path: str):
        try:
            yield b"<html><body>"
            while True:
                yield b"<p>" + b"x" * 65536 + b"</p>"
                await asyncio.sleep(0)
        finally:
            self.closed_early.append(path)

    async def _trickle(self, path: str):
        try:
            yield b"<html><body>"
            for _ in range(300):  # 30 s, a byte at a time
                await asyncio.sleep(0.1)
                yield b" "
        finally:
            self.closed_early.append(path)

    async def _cut(self):
        yield b"<html><body><p>half a page"
        raise RuntimeError("connection cut on purpose")


def article(title: str, paragraphs: list[str]) -> str:
    """A realistic page: navigation and footer around the article trafilatura should keep."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/jobs'>Jobs</a> | <a href='/blog'>Blog</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>© Example Corp · Privacy · Cookies</footer></body></html>"
    )
