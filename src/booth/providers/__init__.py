"""Live data providers (web search, web pages, Last.fm): each with timeouts, a breaker, a cache."""
