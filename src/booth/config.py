"""Settings, read from the environment with the prefix BOOTH_ (pydantic-settings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOOTH_", extra="ignore")

    store: str = Field(
        "sqlite:///.booth/booth.db",
        description="memory | sqlite:///path/to/file.db | redis://host:port/db",
    )
    host: str = "127.0.0.1"
    port: int = 8000

    session_idle_ttl: float = Field(30 * 60, gt=0, description="Seconds a session may sit idle")
    session_max_age: float = Field(24 * 3600, gt=0, description="Seconds a session may live")
    memory_max_sessions: int = Field(10_000, gt=0, description="LRU cap of the memory store")
    sweep_interval: float = Field(60, gt=0, description="Seconds between expiry sweeps")

    run_deadline: float = Field(120, gt=0, description="Seconds a run may take")
    run_retention: float = Field(300, ge=0, description="Seconds a run's events stay resumable")
    disconnect_policy: Literal["cancel", "detach"] = "cancel"
    detach_grace: float = Field(30, ge=0, description="Seconds a detached run waits for a reader")
    busy_policy: Literal["reject", "enqueue"] = "reject"
    stream_queue_size: int = Field(1024, gt=0, description="Events buffered per slow reader")
    shutdown_grace: float = Field(5, ge=0, description="Seconds streams get to end on shutdown")

    max_runs: int = Field(256, gt=0, description="Concurrent runs per process")
    max_runs_per_client: int = Field(8, gt=0, description="Concurrent runs per client IP")
    heartbeat: float = Field(15, gt=0, description="Seconds between SSE heartbeat comments")

    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"

    fitcheck_profile: Path | None = Field(None, description="Candidate profile YAML")
    fitcheck_knowledge: Path | None = Field(None, description="Folder of employer notes (.md)")

    music_context_window: float = Field(
        30 * 60, gt=0, description="Seconds after which a music follow-up starts fresh"
    )

    ui: bool = Field(True, description="Mount the Gradio UI at /ui")

    # -- seed clients (#8): CORS for res_web's frontend, trusted mode for BeatDebate's Gradio app
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins a browser may call from (comma-separated); empty: no CORS",
    )
    session_auth: Literal["token", "trusted"] = Field(
        "token", description="token: a session needs its token; trusted: the id alone authorises"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="IPs/CIDRs whose X-Forwarded-For is believed (comma-separated)",
    )

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """`a,b` or a JSON list from the environment; a list as is from code."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    # -- model and web search (issue #11): unset means offline --------------------------------
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. …/v1")
    llm_api_key: SecretStr | None = Field(
        None, description="API key of that endpoint (never logged)"
    )
    llm_model: str | None = Field(None, description="Default model id")
    llm_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated model ids a request's model_id may pick"
    )
    llm_timeout: float = Field(30, gt=0, description="Seconds one model call may take")
    llm_max_retries: int = Field(0, ge=0, le=5, description="SDK retries per model call")
    breaker_failures: int = Field(5, gt=0, description="Failures in a row that open a breaker")
    breaker_reset: float = Field(30, gt=0, description="Seconds an open breaker waits to probe")

    search_provider: Literal["google", "searxng"] | None = Field(
        None, description="Web search for Fit Check research: google | searxng"
    )
    google_cse_key: SecretStr | None = Field(None, description="Google Programmable Search API key")
    google_cse_id: str | None = Field(None, description="Google Programmable Search engine id (cx)")
    google_cse_url: str = Field(
        "https://www.googleapis.com/customsearch/v1", description="Google Custom Search endpoint"
    )
    searxng_url: str | None = Field(None, description="SearXNG base URL (JSON format enabled)")
    search_timeout: float = Field(
        10, gt=0, description="Seconds one search or page request may take"
    )
    search_cache_ttl: float = Field(3600, gt=0, description="Seconds a search result stays cached")

    # -- Last.fm, for music (issue #12): unset key means the bundled catalog only -------------
    lastfm_api_key: SecretStr | None = Field(None, description="Last.fm API key (never logged)")
    lastfm_url: str = Field(
        "https://ws.audioscrobbler.com/2.0/", description="Last.fm API endpoint"
    )
    lastfm_timeout: float = Field(5, gt=0, description="Seconds one Last.fm call may take")
    lastfm_cache_ttl: float = Field(
        24 * 3600, gt=0, description="Seconds a Last.fm response stays cached"
    )
    lastfm_rate: float = Field(5, gt=0, description="Last.fm requests per second per key")

    @field_validator("llm_models", mode="before")
    @classmethod
    def _split_models(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    # -- reliability (#9): store faults, body limit, retention, logs ---------------------------
    store_timeout: float = Field(
        5.0, gt=0, description="Seconds a store call may take before it counts as failed (503)"
    )
    max_body_bytes: int = Field(
        64 * 1024, gt=0, description="Largest request body accepted; larger is 413"
    )
    run_retention_bytes: int = Field(
        64 * 1024 * 1024,
        ge=0,
        description="Bytes of finished runs' logs kept in process memory (oldest dropped first)",
    )
    lease_ttl: float = Field(
        5.0, gt=0, description="Seconds a run's session lease lasts unless its replica renews it"
    )
    lease_renew_every: float = Field(1.5, gt=0, description="Seconds between lease renewals")
    log_user_text: bool = Field(
        False, description="Log truncated user text (default: only its length and a hash)"
    )

    # -- hosted agents (booth serve --app; src/booth/agents/) ---------------------------------
    apps: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Agents to host, NAME=module:attr each: a JSON list or comma-separated",
    )
    agent_checkpoint_history: int = Field(
        32, ge=1, description="LangGraph checkpoints kept per thread (the newest)"
    )
    agent_checkpoint_prune_every: int = Field(
        16, ge=1, description="Graph steps between prunes of a thread's older checkpoints"
    )

    agent_max_turns: int = Field(
        10, ge=1, description="Model turns an Agents SDK run may take (its max_turns)"
    )

    @field_validator("apps", mode="before")
    @classmethod
    def _split_apps(cls, value: object) -> object:
        """`BOOTH_APPS` as a JSON list, or `a=m:x,b=n:y`."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]

    @property
    def data_dir(self) -> Path:
        if self.store.startswith("sqlite:///"):
            return Path(self.store.removeprefix("sqlite:///")).parent
        return Path(".booth")
