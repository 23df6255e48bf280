"""What building the app costs before the server can answer: no Gradio, Fit Check's data once.

With the UI on (as `booth serve` starts), `create_app` must not import Gradio: the UI is built
after the server listens (booth.ui.lazy). Fit Check's routes, its hosted agent and its UI tab
share one set of resources through the Host.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from booth.apps.fitcheck.service import RESOURCES_KEY, resources_for_settings
from booth.config import Settings
from booth.server import build_host, create_app
from tests.support.servers import ROOT

IMPORTS_AFTER_CREATE_APP = """
import sys
from booth.config import Settings
from booth.server import create_app
app = create_app(Settings(store="memory", ui=True))
assert any(getattr(route, "path", "") == "/ui" for route in app.routes), "the UI is not mounted"
print(sorted(name for name in sys.modules if name.split(".")[0] == "gradio"))
"""


def test_creating_the_app_with_the_ui_on_does_not_import_gradio():
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_AFTER_CREATE_APP],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_fit_check_resources_are_loaded_once_per_host_and_follow_its_settings(tmp_path):
    settings = Settings(store="memory", ui=False)
    app = create_app(settings)
    host = app.state.host
    key = (RESOURCES_KEY, settings.fitcheck_profile, settings.fitcheck_knowledge)
    loaded = host.shared(key, lambda: pytest.fail("create_app did not load them on its host"))
    assert resources_for_settings(host, settings) is loaded
    assert resources_for_settings(build_host(settings), settings) is not loaded  # a host's own

    with_notes = settings.model_copy(update={"fitcheck_knowledge": tmp_path})
    noted = resources_for_settings(host, with_notes)
    assert noted is not loaded and noted.notes_dir == tmp_path
    assert resources_for_settings(host, settings) is loaded
