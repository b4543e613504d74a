"""Loading any eval dataset by its file: whole-lead JSONL, question-level JSONL, or a CSV of past leads with a mapping."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.datasets import CsvDataset, LeadCase, QuestionCase, load_csv, load_lead_cases, load_question_cases
from evals.errors import DatasetError
from evals.mapping import load_mapping


@dataclass
class Loaded:
    cases: list[LeadCase] = field(default_factory=list)
    questions: list[QuestionCase] = field(default_factory=list)
    csv: CsvDataset | None = None
    config: dict[str, Any] = field(default_factory=dict)


def _is_question_file(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            first = next((line for line in handle if line.strip()), "")
        return '"question_id"' in first and '"expected_outcome"' not in first and bool(json.loads(first))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False  # the lead-case loader reports the problem with its line number


def load_dataset(path: Path, mapping_path: Path | None = None, feature_set: str | None = None) -> Loaded:
    """Read a dataset; a CSV needs a mapping (and uses its first feature set unless one is named)."""
    from evals.run import file_sha256

    if not path.is_file():
        raise DatasetError("no such file", file=str(path))
    config: dict[str, Any] = {"dataset": str(path), "dataset_sha256": file_sha256(path)}
    if path.suffix.lower() == ".csv":
        if mapping_path is None:
            raise DatasetError("a CSV needs --mapping (a column-mapping YAML, see docs/datasets.md)", file=str(path))
        mapping = load_mapping(mapping_path)
        name = feature_set or next(iter(mapping.sets))
        data = load_csv(path, mapping, name)
        config |= {
            "mapping": str(mapping_path),
            "mapping_sha256": file_sha256(mapping_path),
            "mapping_name": mapping.name,
            "feature_set": data.feature_set.model_dump(mode="json"),
            "rows": len(data.cases),
        }
        return Loaded(cases=data.cases, csv=data, config=config)
    if mapping_path is not None or feature_set is not None:
        raise DatasetError("--mapping and --feature-set apply to CSV datasets only", file=str(path))
    if _is_question_file(path):
        questions = load_question_cases(path)
        return Loaded(questions=questions, config=config | {"kind": "questions", "rows": len(questions)})
    cases = load_lead_cases(path)
    if len({c.y_true for c in cases}) < 2:
        raise DatasetError(
            "every case has the same outcome (sql vs not): metrics need both classes",
            file=str(path),
            column="expected_outcome",
        )
    return Loaded(cases=cases, config=config | {"kind": "leads", "rows": len(cases)})
