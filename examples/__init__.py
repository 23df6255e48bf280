"""Examples of agents booth can host (`booth serve --app NAME=examples.MODULE:ATTR`)."""
