"""Run booth with the music app only, as its own process: `python serve_music.py PORT`.

Settings come from the BOOTH_* environment, as in production.
"""

from __future__ import annotations

import sys

import uvicorn

from booth.apps.music.router import create_router
from booth.config import Settings
from booth.server import create_app


def main() -> None:
    port = int(sys.argv[1])
    app = create_app(Settings(), routers=[create_router])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning",
                timeout_graceful_shutdown=10)


if __name__ == "__main__":
    main()
