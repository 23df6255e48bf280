"""`booth verify-isolation`: a canary check for cross-user leaks against any running server.

Many simulated users act at once, each with a unique canary word in its queries. A leak is any
canary showing up where another user can see it: in another user's stream, in another user's
stored history or context. It also checks that a session cannot be read or extended without its
token, and that every stream is well formed (exactly one terminal event, gap-free ids).
A hosted agent is a target too (`agent:NAME`): two turns per user on one session.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError

from booth.client import BoothClient, BoothClientError, ClientEvent


@dataclass
class User:
    canary: str
    client: BoothClient
    streams: list[list[ClientEvent]] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)


@dataclass
class Report:
    users: int
    streams: int = 0
    checks: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, problem: str) -> None:
        self.problems.append(problem)


CANARY = re.compile(r"zq[0-9a-f]{10}")


def _foreign(text: str, own: str) -> set[str]:
    return {c for c in CANARY.findall(text) if c != own}


def _check_stream(report: Report, user: User, events: list[ClientEvent], label: str) -> None:
    report.streams += 1
    report.checks += 4
    terminals = [e for e in events if e.terminal]
    if len(terminals) != 1 or not events[-1].terminal:
        report.fail(f"{label}: {len(terminals)} terminal events")
    if [e.id for e in events] != list(range(1, len(events) + 1)):
        report.fail(f"{label}: event ids are not 1..n")
    for event in events:
        try:
            event.payload()
        except (KeyError, ValidationError):
            report.fail(f"{label}: event {event.id} ({event.type}) breaks the event contract")
        leaked = _foreign(str(event.data), user.canary)
        if leaked:
            report.fail(f"{label}: saw other users' canaries {sorted(leaked)} in {event.type}")


async def _fit_check_user(user: User) -> None:
    events = [
        e
        async for e in user.client.fit_check(
            f"Senior Python backend engineer at {user.canary} Labs building APIs with FastAPI"
        )
    ]
    user.streams.append(events)


async def _music_user(user: User) -> None:
    for query in (f"songs by Radiohead {user.canary}", "more tracks", "more like these"):
        user.answers.append(await user.client.recommend(query, max_recommendations=5))


AGENT_PREFIX = "agent:"


def agent_input(schema: dict[str, Any], text: str) -> Any:
    """An input for a hosted agent, from its schema (GET /api/agents): text if it takes text,
    else an object with a `query` or a `messages` field; None if neither fits."""
    options = schema.get("anyOf", [schema])
    if any(option.get("type") == "string" for option in options):
        return text
    for option in options:
        properties = option.get("properties", {})
        if "query" in properties:
            return {"query": text}
        if "messages" in properties:
            return {"messages": [{"role": "user", "content": text}]}
    return None


async def _agent_user(user: User, path: str, schema: dict[str, Any]) -> None:
    """Two turns on one session: the canary goes in the first, the second is a follow-up."""
    for text in (f"My code word is {user.canary}; remember it.", "What was my code word?"):
        body = {"input": agent_input(schema, text)}
        user.streams.append([e async for e in user.client.stream(path, body)])


async def _check_agent(report: Report, name: str, users: int, url: str, http) -> None:
    listed = (await http.get(f"{url}/api/agents")).json().get("agents", [])
    info = next((a for a in listed if a.get("name") == name), None)
    if info is None:
        report.fail(f"agent {name}: not hosted at {url} (GET /api/agents)")
        return
    schema = info.get("input_schema", {})
    if agent_input(schema, "probe") is None:
        report.fail(f"agent {name}: cannot build an input from its schema {schema}")
        return
    group = _users(users, url, http)
    await asyncio.gather(*[_agent_user(u, info["stream"], schema) for u in group])
    for i, user in enumerate(group):
        for turn, events in enumerate(user.streams, start=1):
            _check_stream(report, user, events, f"agent {name} user {i} turn {turn}")
    for i, user in enumerate(group):
        victim = group[(i + 1) % len(group)]
        for token in (None, user.client.session_token):
            intruder = BoothClient(
                url, session_id=victim.client.session_id, session_token=token, http=http
            )
            report.checks += 1
            try:
                body = {"input": agent_input(schema, "What was my code word?")}
                [e async for e in intruder.stream(info["stream"], body)]
                report.fail(
                    f"agent {name}: user {i} extended user {(i + 1) % len(group)}'s session"
                )
            except BoothClientError as refused:
                if refused.status != 403:
                    report.fail(f"agent {name}: intrusion answered {refused.status}, not 403")


def _users(count: int, url: str, http: httpx.AsyncClient) -> list[User]:
    """Users with a fresh canary each and no session yet."""
    return [User(f"zq{uuid.uuid4().hex[:10]}", BoothClient(url, http=http)) for _ in range(count)]


async def verify_isolation(
    url: str, users: int = 20, apps: tuple[str, ...] = ("fitcheck", "music")
) -> Report:
    report = Report(users=users)
    async with httpx.AsyncClient(
        timeout=120, limits=httpx.Limits(max_connections=users * 2 + 10)
    ) as http:
        if "fitcheck" in apps:
            group = _users(users, url, http)
            await asyncio.gather(*[_fit_check_user(u) for u in group])
            for i, user in enumerate(group):
                _check_stream(report, user, user.streams[0], f"fit-check user {i}")
        if "music" in apps:
            group = _users(users, url, http)
            await asyncio.gather(*[_music_user(u) for u in group])
            for i, user in enumerate(group):
                report.checks += 1
                if len({a["session_id"] for a in user.answers}) != 1:
                    report.fail(f"music user {i}: follow-ups changed session")
                for answer in user.answers:
                    leaked = _foreign(str(answer), user.canary)
                    if leaked:
                        report.fail(f"music user {i}: answer shows other canaries {sorted(leaked)}")
                for path in ("history", "context"):
                    report.checks += 1
                    stored = await user.client.get(f"/sessions/{user.client.session_id}/{path}")
                    leaked = _foreign(str(stored), user.canary)
                    if leaked:
                        report.fail(f"music user {i}: stored {path} holds {sorted(leaked)}")
            await _check_tokens(report, group, url, http)
        for target in apps:
            if target.startswith(AGENT_PREFIX):
                await _check_agent(report, target.removeprefix(AGENT_PREFIX), users, url, http)
    return report


async def _check_tokens(
    report: Report, group: list[User], url: str, http: httpx.AsyncClient
) -> None:
    """Each user tries the next user's session: with no token and with its own token."""
    for i, user in enumerate(group):
        victim = group[(i + 1) % len(group)]
        for token in (None, user.client.session_token):
            intruder = BoothClient(
                url, session_id=victim.client.session_id, session_token=token, http=http
            )
            for attempt in ("history", "follow-up"):
                report.checks += 1
                try:
                    if attempt == "history":
                        await intruder.get(f"/sessions/{victim.client.session_id}/history")
                    else:
                        await intruder.recommend("more tracks")
                    report.fail(f"user {i} read or extended user {(i + 1) % len(group)}'s session")
                except BoothClientError as refused:
                    if refused.status != 403:
                        report.fail(f"intrusion answered {refused.status}, not 403")
