"""The layers: `library/` imports nothing from `agent/`, `api/` or `evals/` (checked on the source, not at run time)."""

from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "library"


def test_library_imports_no_upper_layer() -> None:
    offending = []
    for path in LIBRARY.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offending += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("agent", "api", "evals")]
    assert offending == []
