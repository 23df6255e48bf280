"""Run booth as its own process: `python serve.py PORT [--apps] [--test-app]`.

--apps mounts the bundled apps, --test-app the canary test app; settings come from BOOTH_*.
"""

from __future__ import annotations

import sys

import uvicorn

from booth.config import Settings
from booth.server import create_app, default_routers
from tests.support.testapp import create_router


def main() -> None:
    port = int(sys.argv[1])
    routers = default_routers() if "--apps" in sys.argv else []
    if "--test-app" in sys.argv:
        routers.append(create_router)
    app = create_app(Settings(), routers=routers)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=10,
        proxy_headers=False,  # as `booth serve`
    )


if __name__ == "__main__":
    main()
