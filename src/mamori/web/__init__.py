"""The web edge: app factory, shared templates, static files."""
