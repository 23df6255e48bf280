"""Wiring the model into a server: the breaker on `Host.breakers`, the provider on the host.

The server calls `install_llm` once while it builds the host, so the breaker exists (and shows
in `/health`) before any run; apps ask `llm_of(host)` and get None when no model is configured.
"""

from __future__ import annotations

from booth.config import Settings
from booth.core.host import Host
from booth.core.resilience import CircuitBreaker
from booth.llm.provider import UPSTREAM, LLMConfig, LLMProvider

HOST_KEY = "booth.llm.provider"


def config_from_settings(settings: Settings) -> LLMConfig | None:
    """The endpoint the settings name, or None (offline) when `BOOTH_LLM_BASE_URL` is unset."""
    if not settings.llm_base_url:
        return None
    models = tuple(settings.llm_models)
    default = settings.llm_model or (models[0] if models else "")
    if not default:
        raise ValueError("BOOTH_LLM_BASE_URL is set but no model: set BOOTH_LLM_MODEL")
    return LLMConfig(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else "",
        default_model=default,
        models=models,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
    )


def install_llm(host: Host, settings: Settings) -> LLMProvider | None:
    """Create the provider and its breaker for this host, if a model is configured."""
    config = config_from_settings(settings)
    if config is None:
        return None
    breaker = CircuitBreaker(
        UPSTREAM, failure_threshold=settings.breaker_failures, reset_after=settings.breaker_reset
    )
    host.breakers[UPSTREAM] = breaker
    provider = LLMProvider(config, breaker, host.metrics)
    return host.shared(HOST_KEY, lambda: provider)


def llm_of(host: Host) -> LLMProvider | None:
    """This host's provider, or None when booth runs offline."""
    return host.shared(HOST_KEY, lambda: None)
