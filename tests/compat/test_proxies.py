"""Behind a proxy: the per-client cap counts the address a trusted proxy reports, no other.

A frontend server (BeatDebate's Gradio app, a reverse proxy in front of res_web's API) sends
`X-Forwarded-For`; booth believes it only from `BOOTH_TRUSTED_PROXIES`. Each test holds one slow
run open so that a second request from the same client meets the cap of one.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from booth.apps.fitcheck.router import create_router
from booth.config import Settings
from booth.server import create_app
from tests.support.servers import ThreadServer

STREAM = "/api/fit-check/stream"


def paced(host, settings):
    return create_router(host, settings, pace=0.4)


def start(**settings) -> ThreadServer:
    base = {"store": "memory", "ui": False, "max_runs_per_client": 1, "log_level": "WARNING"}
    return ThreadServer(create_app(Settings(**{**base, **settings}), routers=[paced])).start()


async def status_while_busy(server: ThreadServer, forwarded: list[str]) -> list[int]:
    """Open a slow run from the first address, then try one run from each of the others."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:

        async def hold() -> None:
            headers = {"X-Forwarded-For": forwarded[0]}
            async with http.stream("POST", STREAM, json={"query": "Stripe"}, headers=headers) as r:
                assert r.status_code == 200
                await r.aread()

        first = asyncio.create_task(hold())
        while not server.host.runtime.runs:
            await asyncio.sleep(0.01)
        codes = []
        for address in forwarded[1:]:
            headers = {"X-Forwarded-For": address}
            async with http.stream("POST", STREAM, json={"query": "Google"}, headers=headers) as r:
                codes.append(r.status_code)
        await first
    return codes


@pytest.mark.parametrize(
    "proxies, expected",
    [
        (["127.0.0.1"], [200, 429]),  # the proxy is trusted: two users, the first one capped
        ([], [429, 429]),  # not trusted: the header is ignored, everyone is 127.0.0.1
    ],
)
async def test_x_forwarded_for_counts_only_from_trusted_proxies(proxies, expected):
    server = start(trusted_proxies=proxies)
    try:
        codes = await status_while_busy(server, ["203.0.113.5", "203.0.113.6", "203.0.113.5"])
        assert codes == expected
    finally:
        server.stop()


async def test_trusted_session_mode_counts_per_session_behind_one_address():
    server = start(session_auth="trusted")
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            ids = ["a" * 36, "b" * 36]

            async def hold() -> None:
                body = {"query": "Stripe", "session_id": ids[0]}
                async with http.stream("POST", STREAM, json=body) as r:
                    assert r.status_code == 200
                    await r.aread()

            first = asyncio.create_task(hold())
            while not server.host.runtime.runs:
                await asyncio.sleep(0.01)
            body = {"query": "Google", "session_id": ids[1]}
            async with http.stream("POST", STREAM, json=body) as other:
                assert other.status_code == 200  # another session: its own count
                await other.aread()
            await first
    finally:
        server.stop()
