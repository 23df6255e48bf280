"""One recommendation turn: planner → discovery and genre/mood advocates (concurrently) → judge.

Everything a turn reads or writes goes through its `RunContext`: the session's stored context
(read at the start, written with `update_context` before the result is sent, so the very next
follow-up sees it on any replica) and the run's own event emitter.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote_plus

from booth.apps.music import advocates
from booth.apps.music.catalog import Catalog, artist_key
from booth.apps.music.context import Anchor, MusicContext, save_turn
from booth.apps.music.explain import claims_for, known_names, render
from booth.apps.music.followups import Decision, Resolver, anchor_from
from booth.apps.music.intents import Planner, Understanding, simplify
from booth.apps.music.judge import Judge, Scored, select_page, strategy_for
from booth.apps.music.live import CATALOG_SOURCE, LiveMusic, LiveView
from booth.apps.music.model_planner import ModelPlanner, merge
from booth.apps.music.model_writer import ModelWriter
from booth.apps.music.models import ARTIST_INTENTS, DecisionKind, Intent, PoolEntry
from booth.apps.music.tuning import Tuning, default_tuning
from booth.core import heap
from booth.core.runs import RunContext
from booth.core.sessions.base import update_context
from booth.llm import LLMProvider

POOL_LIMIT = 200  # candidates kept per session for paging (ids and scores only)
MAX_ROUNDS = 3


@dataclass(frozen=True)
class MusicEngine:
    """The read-only parts every turn shares: the catalog and what is built from it."""

    catalog: Catalog
    planner: Planner
    resolver: Resolver
    context_window: float = 30 * 60
    tuning: Tuning = field(default_factory=default_tuning)
    live: LiveMusic | None = None  # Last.fm, when a key is configured
    model: ModelPlanner | None = None  # the model's reading of new requests, when configured
    writer: ModelWriter | None = None  # model-written explanations, checked against claims

    @classmethod
    def build(
        cls,
        catalog: Catalog,
        context_window: float = 30 * 60,
        tuning: Tuning | None = None,
        live: LiveMusic | None = None,
        llm: LLMProvider | None = None,
    ) -> MusicEngine:
        planner = Planner(catalog)
        model = ModelPlanner(llm, planner, live) if llm is not None else None
        writer = ModelWriter(llm, known_names(catalog)) if llm is not None else None
        return cls(
            catalog,
            planner,
            Resolver(catalog, planner),
            context_window,
            tuning or default_tuning(),
            live,
            model,
            writer,
        )

    async def view(self, anchor: Anchor | None, *also: Anchor | None) -> LiveView:
        """The catalog a turn answers from: bundled, overlaid with Last.fm's records if live."""
        if self.live is None or anchor is None:
            return LiveView(self.catalog, (CATALOG_SOURCE,), ())
        return await self.live.view(anchor, *also)


class EngineSlot:
    """One host's music engine, built on first use in a worker thread, then shared.

    Loading the catalog takes a second or more, so it is kept off server start-up (/health
    answers at once) and off the event loop: the first music request awaits `ready()`, and
    requests arriving meanwhile wait for the same build.
    """

    def __init__(self, build: Callable[[], MusicEngine]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._engine: MusicEngine | None = None

    @classmethod
    def holding(cls, engine: MusicEngine) -> EngineSlot:
        """A slot for an engine built already (tests, a custom catalog)."""
        slot = cls(lambda: engine)
        slot._engine = engine
        return slot

    @property
    def built(self) -> bool:
        return self._engine is not None

    def get(self) -> MusicEngine:
        """The engine, built here if nobody has yet (blocks: call from sync code only)."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build()
                    heap.settle()  # the catalog lives as long as the process
        return self._engine

    async def ready(self) -> MusicEngine:
        """The engine, built in a worker thread if nobody has yet."""
        if self._engine is not None:
            return self._engine
        return await asyncio.to_thread(self.get)


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

    def to_dict(self, previous: Anchor | None, count: int) -> dict[str, Any]:
        strategy = strategy_for(self.anchor, count).to_dict() if self.anchor else None
        return {
            "intent": self.anchor.intent.value if self.anchor else None,
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
    return settle_unknown_artist(engine, read_plan(engine, query, music, now, forget_after), None)


def read_plan(
    engine: MusicEngine,
    query: str,
    music: MusicContext,
    now: float,
    forget_after: float | None = None,
    catalog: Catalog | None = None,
) -> Plan:
    """The planner's reading and the resolver's decision, over `catalog` (default: bundled).

    A turn with Last.fm passes the catalog its last answer came from, so follow-ups about
    tracks only Last.fm knows ("more like these") still find them.
    """
    resolver = engine.resolver if catalog is None else Resolver(catalog, engine.planner)
    understanding = engine.planner.understand(query)
    decision = resolver.resolve(
        query,
        understanding,
        music,
        now=now,
        window=engine.context_window,
        forget_after=forget_after,
    )
    return Plan(understanding, decision, decision.anchor)


def names_unknown_artist(plan: Plan) -> bool:
    """A new request naming an artist the bundled catalog does not know."""
    return (
        plan.anchor is not None
        and plan.decision.kind in (DecisionKind.NEW_QUERY, DecisionKind.FRESH_START)
        and bool(plan.understanding.unknown_artist)
        and not plan.understanding.artists
    )


def settle_unknown_artist(engine: MusicEngine, plan: Plan, found: str | None) -> Plan:
    """An unknown artist the live provider found (`found`), or a stand-in, or a mix.

    Found elsewhere: the request is about that artist, as asked. Not found: the closest names
    the catalog knows stand in (and are explained as such), or, with none close, a mix.
    """
    if not names_unknown_artist(plan):
        return plan
    understanding, decision, anchor = plan.understanding, plan.decision, plan.anchor
    assert anchor is not None and understanding.unknown_artist is not None
    if found is not None:
        typed = understanding.unknown_artist
        corrections = {typed: found} if simplify(typed) != simplify(found) else {}
        understanding = replace(
            understanding,
            artists=[artist_key(found)],
            unknown_artist=None,
            suggestions=[],
            corrections={**understanding.corrections, **corrections},
            signals=[*understanding.signals, f"'{typed}' found on Last.fm as {found}"],
        )
        anchor = anchor.model_copy(update={"artists": [artist_key(found)]})
        return Plan(understanding, decision, anchor)
    did_you_mean = list(understanding.suggestions)
    known = [engine.catalog.artist(name) for name in did_you_mean[:3]]
    keys = [artist.key for artist in known if artist is not None]
    if keys:
        anchor = anchor.model_copy(
            update={"artists": keys, "stand_in_for": understanding.unknown_artist}
        )
    else:
        anchor = anchor.model_copy(update={"intent": Intent.DISCOVERING_SERENDIPITY})
        decision = replace(
            decision,
            reason="New request: as I don't know that artist, a mix from across the catalog.",
        )
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
        "source": track.source,
        "proposed_by": item.source,
        "genres": list(catalog.genres_of(track)),
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
        self.sources: set[str] = {CATALOG_SOURCE}  # providers this turn's answer used
        self.degraded: set[str] = set()  # providers that failed it

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
    ) -> tuple[list[PoolEntry], int, list[Scored]]:
        """Unseen pool entries, re-scored (feedback may have changed); regrown when low."""
        count = self.request.count
        pool = list(music.pool)
        depth = music.pool_round

        def unseen() -> list[Scored]:
            out = []
            for entry in pool:
                track = self.catalog.tracks.get(entry.track_id)
                if (
                    track is not None
                    and entry.track_id not in exclude
                    and not judge.excluded(entry.track_id)
                ):
                    out.append(judge.score(track, entry.source))
            out.sort(key=lambda s: (-s.score, s.track_id))
            return out

        available = unseen()
        started = None
        if len(available) >= count:
            await self.skip_advocates(f"{len(available)} unseen candidates left in the pool")
        while len(available) < count and depth < MAX_ROUNDS:
            depth += 1
            in_pool = {entry.track_id for entry in pool}
            proposals = await self.propose(
                anchor, exclude | in_pool, depth, quiet=started is not None
            )
            if started is None:
                started = await self._timed_phase("judge", "judge: scoring the regrown pool")
            new = judge.rank(proposals, gate=depth < 2)
            pool.extend(_entry(s) for s in new)
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
    async def plan_with_sources(self, music: MusicContext, now: float) -> Plan:
        """The plan, read over the catalog the last turn answered from, with live lookups.

        With Last.fm configured: the previous anchor's records are fetched first (from the
        provider cache) so follow-ups find the tracks they refer to; an artist the bundled
        catalog does not know is looked up; then the records the new anchor needs are merged
        in. Whatever Last.fm cannot answer is noted in `degraded`, never raised.
        """
        engine, expiry = self.engine, self.ctx.sessions.expiry
        previous = await engine.view(music.anchor) if engine.live is not None else None
        self._note(previous)
        plan = read_plan(
            engine,
            self.request.query,
            music,
            now,
            expiry.idle_ttl,
            previous.catalog if previous is not None else None,
        )
        if engine.model is not None and plan.decision.kind == DecisionKind.NEW_QUERY:
            plan = await self.read_with_model(engine.model, plan)
        found = None
        if engine.live is not None and names_unknown_artist(plan):
            assert plan.understanding.unknown_artist is not None
            found, failed = await engine.live.find_artist(plan.understanding.unknown_artist)
            if failed:
                self.degraded.update(("lastfm",))
        plan = settle_unknown_artist(engine, plan, found)
        if previous is not None and plan.anchor == music.anchor:
            self.catalog = previous.catalog  # the same request: the same records
        elif engine.live is not None:
            view = await engine.view(plan.anchor, music.anchor)
            self._note(view)
            self.catalog = view.catalog
        return plan

    async def read_with_model(self, model: ModelPlanner, plan: Plan) -> Plan:
        """A new request as the model reads it, grounded; the rules' plan if that fails."""
        reading = await model.read(self.request.query)
        if reading is None:
            self.degraded.add("llm")
            return plan
        self.sources.add("llm")
        grounded = await model.ground(reading, self.request.query)
        if grounded.live_failed:
            self.degraded.add("lastfm")
        understanding = merge(plan.understanding, reading, grounded)
        if understanding.read_by != "model" or plan.anchor is None:
            return replace(plan, understanding=understanding)
        anchor = anchor_from(understanding, plan.anchor.salt)
        decision = replace(
            plan.decision,
            anchor=anchor,
            reason=f"New request: {understanding.intent.value.replace('_', ' ')}.",
        )
        return Plan(understanding, decision, anchor)

    async def explanations(self, judge: Judge, picked: list[Scored]) -> dict[str, str]:
        """Each pick's sentence: offline from its claims, or the model's, checked against them."""
        claims = {item.track_id: claims_for(judge, item) for item in picked}
        texts = {track_id: render(c) for track_id, c in claims.items()}
        writer = self.engine.writer
        if writer is None or not picked:
            return texts
        written = await writer.write([(item.track, claims[item.track_id]) for item in picked])
        if written is None:
            self.degraded.add("llm")
            return texts
        self.sources.add("llm")
        return {**texts, **written}

    def _note(self, view: LiveView | None) -> None:
        if view is not None:
            self.sources.update(view.sources)
            self.degraded.update(view.degraded)

    async def run(self) -> None:
        ctx, request = self.ctx, self.request
        clock_start = time.perf_counter()
        store = ctx.sessions
        now = store.clock()

        started = await self._timed_phase("planner", "planner: reading your request")
        record = await store.get(ctx.session_id)
        music = MusicContext.from_session(record.context if record else None)
        plan = await self.plan_with_sources(music, now)
        catalog = self.catalog
        decision, anchor, understanding = plan.decision, plan.anchor, plan.understanding
        unknown = unknown_artist_line(plan, looked_up="lastfm" in self.degraded)
        if unknown:  # what booth does not know is said before anything else
            self.fallback_used = True
            self.reasoning.append(unknown)
        await ctx.thought("reasoning", "planner", decision.reason)
        self.reasoning.append(decision.reason)
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
            new_music = music.model_copy(
                update={
                    "anchor": None,
                    "decision": DecisionKind.RESET,
                    "pool": [],
                    "cursor": 0,
                    "pool_round": 0,
                    "last_batch": [],
                    "updated_at": now,
                    "turns": music.turns + 1,
                }
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
            tuning=self.engine.tuning,
        )
        exclude = shown | {t for t, v in music.feedback.items() if v < 0}
        if decision.kind == DecisionKind.LOAD_MORE:
            pool, depth, ranked = await self.page_from_pool(judge, music, anchor, exclude)
        else:
            ranked = await self.fresh_pool(judge, anchor, exclude)
            pool = [_entry(s) for s in ranked[:POOL_LIMIT]]
            depth = 0

        await ctx.checkpoint()
        picked, notes = select_page(ranked, request.count, judge.strategy, catalog)
        self.say_what_the_page_holds(decision, anchor, picked)
        self.reasoning.extend(notes)
        if self.broadened:
            self.reasoning.append("Broadened: " + "; ".join(self.broadened) + ".")
        if len(picked) < request.count:
            self.reasoning.append(
                f"Only {len(picked)} of the {request.count} tracks asked for could be found "
                "without repeating a track already shown in this session."
            )
        texts = await self.explanations(judge, picked)
        tracks = [track_payload(item, texts[item.track_id], catalog) for item in picked]
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
        while cursor < len(pool) and pool[cursor].track_id in seen:
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

    def say_what_the_page_holds(
        self, decision: Decision, anchor: Anchor, picked: list[Scored]
    ) -> None:
        """A page that leaves the artist or genre asked for says so, in its first line."""
        line = page_topic_line(self.catalog, anchor, picked)
        if line is None:
            return
        index = self.reasoning.index(decision.reason) if decision.reason in self.reasoning else 0
        if decision.kind == DecisionKind.LOAD_MORE:
            self.reasoning[index] = line  # never "next page of your X" holding no X
        else:
            self.reasoning.insert(index + 1, line)

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
                "decision": plan.decision.kind.value,
                "intent": plan.anchor.intent.value if plan.anchor else None,
                "track_ids": [t["track_id"] for t in tracks],
            },
        )
        await self.respond(plan, tracks)
        anchor = plan.anchor
        result = {
            "recommendations": tracks,
            "strategy_used": {
                "intent": anchor.intent.value if anchor else None,
                "decision": plan.decision.kind.value,
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
                "anchor": None
                if anchor is None
                else {
                    "intent": anchor.intent.value,
                    **anchor.entities(),
                    "avoid_genres": anchor.avoid_genres,
                    "deep_dive": anchor.deep_dive,
                    "stand_in_for": anchor.stand_in_for,
                },
                "fallback_used": self.fallback_used,
                "sources": sorted(self.sources),
                "degraded": sorted(self.degraded),
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


def unknown_artist_line(plan: Plan, looked_up: bool = False) -> str | None:
    """ "I don't know X" (and close names, if any) for a new request naming an unknown artist."""
    understanding = plan.understanding
    if not understanding.unknown_artist or plan.decision.kind not in (
        DecisionKind.NEW_QUERY,
        DecisionKind.FRESH_START,
    ):
        return None
    line = f"I don't know an artist called '{understanding.unknown_artist}'"
    if looked_up:
        line += " (Last.fm could not be reached to look it up)"
    if plan.did_you_mean:
        return (
            f"{line}. Did you mean {_or(plan.did_you_mean)}? Showing tracks by "
            f"{_or(plan.did_you_mean[:3], 'and')} meanwhile."
        )
    return f"{line}, and no artist I know has a name close to it."


def page_topic_line(catalog: Catalog, anchor: Anchor, picked: list[Scored]) -> str | None:
    """What a page holds when it is not all the artist (or genre) asked for; None when it is."""
    if not picked:
        return None
    artist_focused = anchor.deep_dive or anchor.intent in ARTIST_INTENTS
    if anchor.artists and artist_focused and not anchor.stand_in_for:
        names = _or([catalog.artists[a].name for a in anchor.artists if a in catalog.artists])
        own = sum(1 for item in picked if item.track.artist_key in anchor.artists)
        if own == len(picked):
            return None
        others = list(dict.fromkeys(i.track.artist for i in picked if not i.evidence.own))
        others_text = _or(others[:3] + (["others"] if len(others) > 3 else []), "and")
        if own == 0:
            return (
                f"No unseen {names} tracks are left, so this page is by other artists: "
                f"{others_text}."
            )
        return (
            f"Only {own} of these {len(picked)} tracks are by {names} (the last unseen ones); "
            f"the rest are by other artists: {others_text}."
        )
    if anchor.genres and anchor.intent in (Intent.GENRE_MOOD, Intent.DISCOVERY):
        outside = sum(1 for item in picked if not item.evidence.genre_hits)
        if outside == 0:
            return None
        genres = _or(anchor.genres[:3])
        why = (
            ", as your refinement asked for something else"
            if anchor.modifiers
            else ": they come from neighbouring genres"
        )
        if outside == len(picked):
            return f"None of these tracks is tagged {genres}{why}."
        return f"{outside} of these {len(picked)} tracks are not tagged {genres}{why}."
    return None


def _entry(scored: Scored) -> PoolEntry:
    return PoolEntry(track_id=scored.track_id, score=scored.score, source=scored.source)


def _or(names: list[str], word: str = "or") -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {word} " + names[-1]


def music_pipeline(engine: MusicEngine | EngineSlot, request: TurnRequest):
    """The `Pipeline` the runtime runs for one turn (on an engine, or one still to be built)."""

    async def pipeline(ctx: RunContext) -> None:
        ready = await engine.ready() if isinstance(engine, EngineSlot) else engine
        await Turn(ctx, ready, request).run()

    return pipeline
