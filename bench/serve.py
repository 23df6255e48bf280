"""`python -m bench.serve booth|bare PORT`: one benchmark server process."""

from __future__ import annotations

import sys

import uvicorn

from bench.synthetic import bare_app, booth_router
from booth.config import Settings
from booth.server import create_app


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "bare":
        app = bare_app()
    else:
        app = create_app(Settings(ui=False, log_level="WARNING"), routers=[booth_router])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096)


if __name__ == "__main__":
    main()
