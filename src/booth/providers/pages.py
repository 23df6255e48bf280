"""Fetching a web page within limits, and keeping only its main text.

A page is read as a stream and abandoned past `max_bytes`, so a huge or endless page costs no
more than the cap; the whole fetch has a time limit. trafilatura extracts the main text (no
menus, footers or scripts), off the event loop.
"""

from __future__ import annotations

import asyncio

import httpx
import trafilatura
from pydantic import BaseModel

TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


class Page(BaseModel):
    url: str
    title: str
    text: str


class PageTooLarge(Exception):
    """A page larger than the fetch limit allows."""


async def read_capped(http: httpx.AsyncClient, url: str, max_bytes: int) -> tuple[bytes, str]:
    """The body (at most `max_bytes`, else PageTooLarge) and its content type."""
    async with http.stream("GET", url, follow_redirects=True) as response:
        response.raise_for_status()
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind and kind not in TEXT_TYPES:
            raise ValueError(f"not a text page ({kind})")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise PageTooLarge(f"over {max_bytes} bytes")
        return bytes(body), kind


def extract(html: str, url: str) -> tuple[str, str] | None:
    """(title, main text) of a page, or None when it has no main text."""
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True)
    if not text:
        return None
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta and meta.title else "") or url
    return title, text


async def fetch_page(
    http: httpx.AsyncClient, url: str, *, max_bytes: int, timeout: float, max_chars: int
) -> Page | None:
    """The page's main text, or None if it cannot be had within the limits."""
    try:
        raw, kind = await asyncio.wait_for(read_capped(http, url, max_bytes), timeout)
    except (httpx.HTTPError, ValueError, PageTooLarge, TimeoutError):
        return None
    html = raw.decode("utf-8", errors="replace")
    if kind == "text/plain":
        return Page(url=url, title=url, text=html[:max_chars])
    found = await asyncio.to_thread(extract, html, url)
    if found is None:
        return None
    title, text = found
    return Page(url=url, title=title[:300], text=text[:max_chars])
