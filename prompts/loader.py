"""Loads prompt templates from this folder and renders them against typed contexts, with a content hash per template."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel

PROMPTS_DIR = Path(__file__).resolve().parent

# Plain text, not HTML: no autoescaping. StrictUndefined turns a missing context value into an error, not a blank.
_env = Environment(
    loader=FileSystemLoader(PROMPTS_DIR),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


@dataclass(frozen=True)
class RenderedPrompt:
    name: str
    text: str
    hash: str  # hash of the template file: equal templates, equal hash, whatever the lead


def names() -> list[str]:
    """Every prompt template in this folder, by name."""
    return sorted(p.stem for p in PROMPTS_DIR.glob("*.j2"))


@lru_cache(maxsize=None)
def template_hash(name: str) -> str:
    """Content hash of a prompt template (first 16 hex digits of its SHA-256)."""
    return hashlib.sha256((PROMPTS_DIR / f"{name}.j2").read_bytes()).hexdigest()[:16]


def render(name: str, context: BaseModel) -> RenderedPrompt:
    """Render template `name` with the fields of `context` as its variables."""
    template = _env.get_template(f"{name}.j2")
    values = {key: getattr(context, key) for key in type(context).model_fields}
    return RenderedPrompt(name=name, text=template.render(**values).strip() + "\n", hash=template_hash(name))
