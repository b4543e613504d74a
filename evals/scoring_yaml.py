"""Writing a fitted model into a library: model.json (see library/model_file.py), and scoring.yaml left as it was
except for any older inline `model:` block, which is removed (comments and the rest are kept)."""

from __future__ import annotations

from pathlib import Path

import yaml

from evals.errors import EvalError
from library import model_file
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
    """Write `model` to library_dir/model.json (versioned, checksummed) and drop any older inline `scoring.model`
    block from scoring.yaml, keeping the rest of that file; the scoring config is validated before anything is written."""
    path = library_dir / "scoring.yaml"
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else None
    except OSError as exc:
        raise EvalError(f"{path}: cannot read: {exc}") from exc
    new = None
    if text is not None:
        new = _without_model(text)
        parsed = yaml.safe_load(new)
        if not isinstance(parsed, dict) or "scoring" not in parsed:
            raise EvalError(f"{path}: expected a top-level 'scoring' key")
        ScoringConfig.model_validate({**(parsed["scoring"] or {}), "model": model.model_dump(mode="json")})
    written = model_file.write(library_dir, model)
    if new is not None and new != text:
        path.write_text(new, encoding="utf-8")
    return written
