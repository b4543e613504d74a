"""Prompt templates (Jinja2, StrictUndefined), one file per prompt, with a loader giving render(context) and a content hash."""

from prompts.loader import RenderedPrompt, names, render, template_hash

__all__ = ["RenderedPrompt", "names", "render", "template_hash"]
