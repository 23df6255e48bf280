"""One recommendation turn: planner → discovery and genre/mood advocates (concurrently) → judge.

Everything a turn reads or writes goes through its `RunContext`: the session's stored context
(read at the start, written with `update_context` before the result is sent, so the very next
follow-up sees it on any replica) and the run's own event emitter.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote_plus

from booth.apps.music import advocates
from booth.apps.music.catalog import Catalog
from booth.apps.music.context import Anchor, MusicContext, save_turn
from booth.apps.music.followups import Decision, Resolver
from booth.apps.music.intents import Planner, Understanding
from booth.apps.music.judge import (
    ARTIST_INTENTS,
    Judge,
    Scored,
    explain,
    select_page,
    strategy_for,
)
from booth.core.runs import RunContext
from booth.core.sessions.base import update_context

POOL_LIMIT = 200  # candidates kept per session for paging (ids and scores only)
MAX_ROUNDS = 3


@dataclass(frozen=True)
class MusicEngine:
    """The read-only parts every turn shares: the catalog and what is built from it."""

    catalog: Catalog
    planner: Planner
    resolver: Resolver
    context_window: float = 30 * 60

    @classmethod
    def build(cls, catalog: Catalog, context_window: float = 30 * 60) -> MusicEngine:
        planner = Planner(catalog)
        return cls(catalog, planner, Resolver(catalog, planner), context_window)


@dataclass
class TurnRequest:
    query: str
    count: int = 10
    include_previews: bool = True
    chat_context: Any = None


@dataclass
class Plan:
    """What the planner decided for a turn, before anything is searched."""

    understanding: Understanding
    decision: Decision
    anchor: Anchor | None
    did_you_mean: list[str] = field(default_factory=list)

    def to_dict(self, previous: Anchor | None, count: int) -> dict:
        strategy = strategy_for(self.anchor, count).to_dict() if self.anchor else None
        return {
            "intent": self.anchor.intent if self.anchor else None,
            "query_understanding": self.understanding.to_dict(),
            "context_decision": self.decision.metadata(previous),
            "anchor": self.anchor.entities() if self.anchor else None,
            "did_you_mean": self.did_you_mean,
            "advocates": ["discovery_advocate", "genre_mood_advocate"] if self.anchor else [],
            "evaluation": strategy,
        }


def make_plan(
    engine: MusicEngine,
    query: str,
    music: MusicContext,
    now: float,
    forget_after: float | None = None,
) -> Plan:
    """Understand the query and resolve it against the stored context; nothing runs yet."""
    understanding = engine.planner.understand(query)
    decision = engine.resolver.resolve(
        query,
        understanding,
        music,
        now=now,
        window=engine.context_window,
        forget_after=forget_after,
    )
    anchor = decision.anchor
    did_you_mean: list[str] = []
    if (
        anchor is not None
        and decision.kind in ("new_query", "fresh_start")
        and understanding.unknown_artist
        and not understanding.artists
    ):
        did_you_mean = list(understanding.suggestions)
        keys = [engine.catalog.artist(name).key for name in did_you_mean[:3]]
        if keys:
            anchor = replace(anchor, artists=keys)
        else:
            anchor = replace(anchor, intent="discovering_serendipity")
    return Plan(understanding, decision, anchor, did_you_mean)


def lastfm_url(artist: str, title: str) -> str:
    """Last.fm's track page: spaces as `+`, everything else percent-encoded once."""
    return f"https://www.last.fm/music/{quote_plus(artist)}/_/{quote_plus(title)}"


def track_payload(item: Scored, text: str, catalog: Catalog) -> dict[str, Any]:
    track = item.track
    artist = catalog.artists.get(track.artist_key)
    return {
        "track_id": track.track_id,
        "title": track.title,
        "artist": track.artist,
        "album": track.album or None,
        "year": track.year,
        "confidence": item.score,
        "explanation": text,
        "source": item.source,
        "genres": list(catalog.artist_genres(track)),
        "moods": list(track.moods),
        "tags": list(track.tags),
        "preview_url": None,  # offline: no audio provider is configured
        "spotify_url": None,  # the seed's field; unknown without a Spotify provider
        "playcount": None,  # the seed's field; the bundled catalog has no play counts
        "external_urls": {"lastfm": lastfm_url(track.artist, track.title)},
        "quality_score": item.components["quality"],
        "novelty_score": item.components["novelty"],
        "popularity": track.popularity,
        "listeners": artist.listeners if artist else 0,
        "energy": track.energy,
        "valence": track.valence,
        "tempo": track.tempo,
        "score_components": item.components,
    }


class Turn:
    """The state of one run of the pipeline; created per request, never shared."""

    def __init__(self, ctx: RunContext, engine: MusicEngine, request: TurnRequest) -> None:
        self.ctx = ctx
        self.engine = engine
        self.catalog = engine.catalog
        self.request = request
        self.reasoning: list[str] = []
        self.phases: list[dict] = []
        self.fallback_used = False
        self.broadened: list[str] = []
        self.advocate_notes: dict[str, list[str]] = {}
        self.judge_started = 0.0  # when the judge phase began (it may begin mid-search)

    async def _timed_phase(self, name: str, message: str):
        await self.ctx.phase(name, message)
        return time.perf_counter()

    async def _done(self, name: str, started: float, summary: str, data: dict) -> None:
        ms = int((time.perf_counter() - started) * 1000)
        self.phases.append({"phase": name, "duration_ms": ms, "summary": summary})
        await self.ctx.phase_complete(name, summary, data, ms)

    # -- advocates --------------------------------------------------------------------------
    async def _advocate(self, name, fn, anchor: Anchor, exclude: set[str], depth: int, quiet: bool):
        if not quiet:
            started = await self._timed_phase(
                name,
                f"{name.replace('_', ' ')}: searching" + (f" (round {depth})" if depth else ""),
            )
        proposal = await asyncio.to_thread(
            fn, self.catalog, anchor, exclude, depth, self.ctx.session_id
        )
        self.advocate_notes.setdefault(name, []).extend(proposal.notes)
        for note in proposal.notes[:3]:
            await self.ctx.thought("observation", "judge" if quiet else name, f"{name}: {note}")
        if not quiet:
            await self._done(
                name,
                started,
                f"{len(proposal.track_ids)} candidates",
                {"candidates": len(proposal.track_ids), "round": depth, "notes": proposal.notes},
            )
        return proposal

    async def propose(
        self, anchor: Anchor, exclude: set[str], depth: int, quiet: bool = False
    ) -> dict[str, str]:
        """Both advocates, concurrently; track id → which advocate(s) proposed it.

        `quiet` runs (the judge asking for a wider search) report as thoughts, not phases.
        """
        found, moods = await asyncio.gather(
            self._advocate(
                "discovery_advocate", advocates.discovery, anchor, exclude, depth, quiet
            ),
            self._advocate(
                "genre_mood_advocate", advocates.genre_mood, anchor, exclude, depth, quiet
            ),
        )
        sources: dict[str, str] = {}
        for proposal in (found, moods):
            for track_id in proposal.track_ids:
                sources[track_id] = (
                    "both"
                    if track_id in sources and sources[track_id] != proposal.advocate
                    else proposal.advocate
                )
        return sources

    async def skip_advocates(self, why: str) -> None:
        for name in ("discovery_advocate", "genre_mood_advocate"):
            started = await self._timed_phase(name, f"{name.replace('_', ' ')}: {why}")
            await self._done(name, started, why, {"candidates": 0, "skipped": True})

    # -- building the ranked list -----------------------------------------------------------
    async def fresh_pool(self, judge: Judge, anchor: Anchor, exclude: set[str]) -> list[Scored]:
        count = self.request.count
        proposals = await self.propose(anchor, exclude, 0)
        started = await self._timed_phase("judge", "judge: scoring candidates")
        self.judge_started = started
        ranked = judge.rank(proposals)
        artist_focused = anchor.deep_dive or anchor.intent in ARTIST_INTENTS
        if len(ranked) < count and not artist_focused:
            relaxed = judge.rank(proposals, gate=False)
            if len(relaxed) > len(ranked):
                self.broadened.append("relaxed the novelty filter")
                ranked = relaxed
        if len(ranked) < count and not artist_focused and (anchor.genres or anchor.moods):
            more = await self.propose(anchor, exclude | {s.track_id for s in ranked}, 1, True)
            extra = judge.rank(more, gate=False)
            if extra:
                near = [n for g in anchor.genres for n, _ in self.catalog.neighbour_genres(g)[:4]]
                self.broadened.append(
                    "widened to neighbouring genres"
                    + (f" ({', '.join(dict.fromkeys(near))})" if near else "")
                )
                ranked = ranked + extra
        if not ranked and artist_focused and anchor.artists:
            names = ", ".join(
                self.catalog.artists[a].name for a in anchor.artists if a in self.catalog.artists
            )
            more = await self.propose(anchor, exclude, 1, True)
            ranked = judge.rank(more, gate=False)
            if ranked:
                self.fallback_used = True
                self.broadened.append(
                    f"every {names} track in the catalog was already shown, "
                    "so these are by similar artists"
                )
        if not ranked:
            ranked = self.fallback(judge, exclude)
        return ranked

    def fallback(self, judge: Judge, exclude: set[str]) -> list[Scored]:
        """Nothing matched: the catalog's closest tracks to the request, flagged as such."""
        self.fallback_used = True
        scored = []
        for track in self.catalog.tracks.values():
            if track.track_id in exclude or judge.excluded(track.track_id):
                continue
            scored.append(judge.score(track, "fallback"))
        scored.sort(key=lambda s: (-s.components["relevance"], -s.score, s.track_id))
        self.broadened.append(
            "nothing matched the request as asked; these are the closest tracks in the catalog"
        )
        return scored[: max(self.request.count * 5, 50)]

    async def page_from_pool(
        self, judge: Judge, music: MusicContext, anchor: Anchor, exclude: set[str]
    ) -> tuple[list[list], int, list[Scored]]:
        """Unseen pool entries, re-scored (feedback may have changed); regrown when low."""
        count = self.request.count
        pool = list(music.pool)
        depth = music.pool_round

        def unseen() -> list[Scored]:
            out = []
            for track_id, _score, source in pool:
                track = self.catalog.tracks.get(track_id)
                if track is not None and track_id not in exclude and not judge.excluded(track_id):
                    out.append(judge.score(track, source))
            out.sort(key=lambda s: (-s.score, s.track_id))
            return out

        available = unseen()
        started = None
        if len(available) >= count:
            await self.skip_advocates(f"{len(available)} unseen candidates left in the pool")
        while len(available) < count and depth < MAX_ROUNDS:
            depth += 1
            in_pool = {entry[0] for entry in pool}
            proposals = await self.propose(
                anchor, exclude | in_pool, depth, quiet=started is not None
            )
            if started is None:
                started = await self._timed_phase("judge", "judge: scoring the regrown pool")
            new = judge.rank(proposals, gate=depth < 2)
            pool.extend([s.track_id, s.score, s.source] for s in new)
            self.reasoning.append(
                f"The candidate pool ran low ({len(available)} unseen), so it was regrown "
                f"(round {depth}) with {len(new)} new candidates."
            )
            if new and (anchor.deep_dive or anchor.intent in ARTIST_INTENTS):
                names = ", ".join(
                    self.catalog.artists[a].name
                    for a in anchor.artists
                    if a in self.catalog.artists
                )
                self.broadened.append(
                    f"no unseen {names} tracks are left in the catalog "
                    "beyond these, so the list continues with similar artists"
                )
            available = unseen()
        if started is None:
            if len(available) < count:
                await self.skip_advocates("the pool cannot be regrown any further")
            started = await self._timed_phase("judge", "judge: next page of the pool")
        self.judge_started = started
        return pool, depth, available

    # -- the turn ---------------------------------------------------------------------------
    async def run(self) -> None:
        ctx, catalog, request = self.ctx, self.catalog, self.request
        clock_start = time.perf_counter()
        store = ctx.sessions
        now = store.clock()

        started = await self._timed_phase("planner", "planner: reading your request")
        record = await store.get(ctx.session_id)
        music = MusicContext.from_session(record.context if record else None)
        plan = make_plan(self.engine, request.query, music, now, store.expiry.idle_ttl)
        decision, anchor, understanding = plan.decision, plan.anchor, plan.understanding
        await ctx.thought("reasoning", "planner", decision.reason)
        self.reasoning.append(decision.reason)
        if plan.did_you_mean:
            self.fallback_used = True
            self.reasoning.append(
                f"I don't know an artist called '{understanding.unknown_artist}'. Did you mean "
                f"{_or(plan.did_you_mean)}? Showing tracks by "
                f"{_or(plan.did_you_mean[:3], 'and')} meanwhile."
            )
        elif understanding.unknown_artist and decision.kind in ("new_query", "fresh_start"):
            self.reasoning.append(
                f"I don't know an artist called "
                f"'{understanding.unknown_artist}', and nothing close."
            )
        for typed, name in understanding.corrections.items():
            self.reasoning.append(f"Read '{typed}' as {name}.")
        await self._done(
            "planner",
            started,
            f"{decision.kind}: {anchor.intent if anchor else 'no request'}",
            plan.to_dict(music.anchor, request.count),
        )

        if anchor is None:  # reset
            await self.skip_advocates("context cleared, nothing to search")
            started = await self._timed_phase("judge", "judge: nothing to rank")
            await self._done("judge", started, "0 recommendations", {"picked": 0})
            new_music = replace(
                music,
                anchor=None,
                decision="reset",
                pool=[],
                cursor=0,
                pool_round=0,
                last_batch=[],
                updated_at=now,
                turns=music.turns + 1,
            )
            await self.finish(new_music, plan, [], None, clock_start, music.anchor)
            return

        await ctx.checkpoint()
        shown = set(music.shown)
        judge = Judge(
            catalog,
            anchor,
            count=request.count,
            shown=shown,
            feedback=music.feedback,
            session_salt=ctx.session_id,
        )
        exclude = shown | {t for t, v in music.feedback.items() if v < 0}
        if decision.kind == "load_more":
            pool, depth, ranked = await self.page_from_pool(judge, music, anchor, exclude)
        else:
            ranked = await self.fresh_pool(judge, anchor, exclude)
            pool = [[s.track_id, s.score, s.source] for s in ranked[:POOL_LIMIT]]
            depth = 0

        await ctx.checkpoint()
        picked, notes = select_page(ranked, request.count, judge.strategy, catalog)
        self.reasoning.extend(notes)
        if self.broadened:
            self.reasoning.append("Broadened: " + "; ".join(self.broadened) + ".")
        if len(picked) < request.count:
            self.reasoning.append(
                f"Only {len(picked)} of the {request.count} tracks asked for could be found "
                "without repeating a track already shown in this session."
            )
        tracks = []
        for item in picked:
            text = explain(judge, item)
            tracks.append(track_payload(item, text, catalog))
        for item in tracks[:3]:
            await ctx.thought(
                "reasoning", "judge", f"{item['artist']} – {item['title']}: {item['explanation']}"
            )
        await self._done(
            "judge",
            self.judge_started,
            f"{len(tracks)} recommendations",
            {"picked": len(tracks), "ranked": len(ranked), "strategy": judge.strategy.to_dict()},
        )

        page_ids = [t["track_id"] for t in tracks]
        shown_now = music.shown + page_ids
        seen = set(shown_now)
        cursor = 0
        while cursor < len(pool) and pool[cursor][0] in seen:
            cursor += 1
        new_music = MusicContext(
            anchor=anchor,
            decision=decision.kind,
            pool=pool[: POOL_LIMIT * 2],
            cursor=cursor,
            pool_round=depth,
            shown=shown_now,
            last_batch=page_ids or music.last_batch,
            feedback=music.feedback,
            updated_at=now,
            turns=music.turns + 1,
        )
        await self.finish(new_music, plan, tracks, judge, clock_start, music.anchor)

    async def finish(
        self,
        new_music: MusicContext,
        plan: Plan,
        tracks: list[dict],
        judge: Judge | None,
        clock_start: float,
        previous: Anchor | None,
    ) -> None:
        ctx, request = self.ctx, self.request
        await update_context(ctx.sessions, ctx.session_id, save_turn(new_music))
        await ctx.sessions.append_turn(
            ctx.session_id,
            {
                "app": "music",
                "at": new_music.updated_at,
                "run_id": ctx.run_id,
                "query": request.query[:500],
                "decision": plan.decision.kind,
                "intent": plan.anchor.intent if plan.anchor else None,
                "track_ids": [t["track_id"] for t in tracks],
            },
        )
        await self.respond(plan, tracks)
        anchor = plan.anchor
        result = {
            "recommendations": tracks,
            "strategy_used": {
                "intent": anchor.intent if anchor else None,
                "decision": plan.decision.kind,
                "advocates": ["discovery_advocate", "genre_mood_advocate"],
                "pool_round": new_music.pool_round,
                **(judge.strategy.to_dict() if judge else {}),
            },
            "reasoning": self.reasoning,
            "session_id": ctx.session_id,
            "processing_time": round(time.perf_counter() - clock_start, 4),
            "metadata": {
                "context_decision": plan.decision.metadata(previous),
                "workflow_execution": {
                    "run_id": ctx.run_id,
                    "phases": self.phases,
                    "advocate_notes": self.advocate_notes,
                    "pool": {
                        "size": len(new_music.pool),
                        "cursor": new_music.cursor,
                        "round": new_music.pool_round,
                    },
                },
                "query_understanding": {
                    **plan.understanding.to_dict(),
                    "did_you_mean": plan.did_you_mean,
                },
                "fallback_used": self.fallback_used,
                "broadened": self.broadened,
                "max_recommendations": request.count,
                "chat_context": "ignored: this session's stored context is used instead"
                if request.chat_context
                else None,
            },
        }
        await ctx.result(result)

    async def respond(self, plan: Plan, tracks: list[dict]) -> None:
        """The answer as text, streamed line by line (what a chat shows)."""
        await self.ctx.response(self.reasoning[0] + "\n" if self.reasoning else "")
        for i, track in enumerate(tracks, 1):
            await self.ctx.response(
                f"{i}. {track['artist']} – {track['title']}: {track['explanation']}\n"
            )
        for line in self.reasoning[1:]:
            await self.ctx.response(line + "\n")


def _or(names: list[str], word: str = "or") -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


def music_pipeline(engine: MusicEngine, request: TurnRequest):
    """The `Pipeline` the runtime runs for one turn."""

    async def pipeline(ctx: RunContext) -> None:
        await Turn(ctx, engine, request).run()

    return pipeline
