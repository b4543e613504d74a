"""Prompt templates (Jinja2, StrictUndefined), one file per prompt, with a loader giving render() and a content hash."""
