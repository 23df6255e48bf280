"""booth's web UI: Gradio, mounted at /ui, one private session per browser tab.

The UI is a client of the apps' service functions, called in process: it opens the tab's session
through the same `Host.open_session` an HTTP request uses, so the UI and the API share one code
path and one set of guarantees.
"""

import os

# booth runs offline: Gradio must not phone home (set before gradio is first imported).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
