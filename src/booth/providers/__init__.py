"""Live data providers booth can call (Last.fm, web search), each behind a circuit breaker."""
