"""Writing a fitted model into a library's scoring.yaml while keeping the rest of the file (comments included)."""

from __future__ import annotations

from pathlib import Path

import yaml

from evals.errors import EvalError
from library.schemas import FittedModel, ScoringConfig

MARK = "  # --- fitted by `qualify calibrate`: everything below is rewritten on the next calibration ---"


def _without_model(text: str) -> str:
    """The file with any previous fitted-model block (ours, or a hand-written `  model:` key) removed."""
    lines = text.splitlines()
    out, skipping = [], False
    for line in lines:
        if line == MARK or line.startswith("  model:"):
            skipping = True
            continue
        if skipping and line.strip() and not line.startswith("   ") and not line.startswith("  #"):
            skipping = False
        if not skipping:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def write_model(library_dir: Path, model: FittedModel) -> Path:
    """Put `model` under `scoring.model` in library_dir/scoring.yaml; the result is validated before it is written."""
    path = library_dir / "scoring.yaml"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else "scoring: {}\n"
    except OSError as exc:
        raise EvalError(f"{path}: cannot read: {exc}") from exc
    base = _without_model(text)
    if base.strip() in ("scoring: {}", "scoring:"):
        base = "scoring:\n"
    body = yaml.safe_dump({"model": model.model_dump(mode="json", exclude_none=True)}, sort_keys=False,
                          allow_unicode=True, width=120)
    new = base + MARK + "\n" + "".join(f"  {line}\n" for line in body.splitlines())
    parsed = yaml.safe_load(new)
    if not isinstance(parsed, dict) or "scoring" not in parsed:
        raise EvalError(f"{path}: expected a top-level 'scoring' key")
    ScoringConfig.model_validate(parsed["scoring"])  # never write a file the loader would refuse
    path.write_text(new, encoding="utf-8")
    return path
