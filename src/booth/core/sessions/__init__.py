"""Session storage: one protocol (base.py), three backends, one conformance suite."""
