"""The server-rendered review UI (Jinja2 templates, a little plain JavaScript, no build step)."""
