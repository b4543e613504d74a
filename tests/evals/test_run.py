"""`qualify eval`: invalid outputs, gates and their exit codes, bad input, compare, and the default-command fallthrough."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.deps import Deps
from agent.errors import RetryableJudgeError
from agent.judges.base import Matches
from agent.schemas import EntityMatch, Lead
from api.cli import app
from evals.datasets import LeadCase
from evals.errors import EvalError
from evals.gates import failed_gates, parse_gates
from evals.run import build_record, run_cases
from tests.fakes.judge import ScriptedJudge
from tests.fakes.library import small_library
from tests.fakes.retriever import FixedRetriever

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LIB = small_library()
SMB = Matches(
    segment=EntityMatch(kind="segment", entity_id=LIB.segments[0].id, name="s", similarity=1.0, method="rule"),
    persona=None,
)


def case(i: int, sql: bool) -> LeadCase:
    events = [{"type": "demo_request", "timestamp": (NOW - timedelta(days=1)).isoformat()}] * (3 if sql else 0)
    lead = Lead(
        person={"email": f"p{i}@corp{i}.com", "title": "CFO" if sql else "Intern"}, events=events, received_at=NOW
    )
    return LeadCase(id=f"c{i}", lead=lead, expected_outcome="sql" if sql else "nurture")


def deps(judge: ScriptedJudge) -> Deps:
    return Deps(
        library=LIB, snapshot_id="snap", retriever=FixedRetriever(SMB), judge=judge, enrichers=[], clock=lambda: NOW
    )


def test_a_failing_lead_is_an_invalid_output_and_the_run_is_incomplete() -> None:
    cases = [case(i, i % 2 == 0) for i in range(6)]
    judge = ScriptedJudge(fail_with=[RetryableJudgeError("endpoint down")])
    runs = asyncio.run(run_cases(cases, deps(judge)))
    assert runs[0].draft is None and "endpoint down" in (runs[0].error or "")
    record = build_record("r", runs, deps(ScriptedJudge()), {"dataset": "x"}, n_boot=20)
    assert (record.metrics.n_invalid, record.metrics.complete) == (1, False)
    assert record.cases[0].probability is None and record.config["errors"][0]["id"] == "c0"
    assert record.config["judge"] == "scripted" and record.config["library_snapshot"] == "snap"
    assert "code_version" in record.config and record.config["threshold"] == 0.5
    assert failed_gates(record.metrics, {"auc": 0.0})[0].startswith("complete:")


def test_gates_parse_and_fail_in_the_right_direction() -> None:
    assert parse_gates("auc=0.85, fpr_at_threshold=0.2") == {"auc": 0.85, "fpr_at_threshold": 0.2}
    for bad in ("auc", "acu=0.8", "auc=high", ""):
        with pytest.raises(EvalError):
            parse_gates(bad)
    runs = asyncio.run(run_cases([case(i, i % 2 == 0) for i in range(6)], deps(ScriptedJudge())))
    metrics = build_record("r", runs, deps(ScriptedJudge()), {}, n_boot=20).metrics
    assert metrics.complete and metrics.roc_auc is not None
    assert failed_gates(metrics, {"auc": 0.0, "fpr_at_threshold": 1.0}) == []
    assert failed_gates(metrics, {"auc": 1.01})[0].startswith("auc:")
    fpr = metrics.at_threshold.fpr if metrics.at_threshold else None
    assert fpr is not None
    assert failed_gates(metrics, {"fpr_at_threshold": fpr - 0.01 if fpr > 0 else -0.01})[0].startswith(
        "fpr_at_threshold"
    )
    assert failed_gates(metrics, {"question_accuracy": 0.5})[0].startswith("question_accuracy: not measurable")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eval") / "cases.jsonl"
    lines = [case(i, i % 3 == 0).model_dump_json(exclude_none=True) for i in range(9)]
    path.write_text("\n".join(lines) + "\n")
    return path


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["eval", *args])


def test_fail_under_exit_codes_and_compare(dataset: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "runs")
    passed = invoke(str(dataset), "--out", out, "--name", "a", "--n-boot", "20", "--fail-under", "auc=0.0")
    assert passed.exit_code == 0, passed.output
    record = json.loads((tmp_path / "runs/a.json").read_text())
    assert record["metrics"]["n_cases"] == 9 and record["config"]["dataset_sha256"]
    assert (tmp_path / "runs/a.html").read_text().startswith("<!doctype html>")
    failed = invoke(str(dataset), "--out", out, "--name", "b", "--n-boot", "20", "--fail-under", "auc=1.01")
    assert failed.exit_code == 1 and "gate failed: auc" in failed.output
    compared = invoke("compare", str(tmp_path / "runs/a.json"), str(tmp_path / "runs/b.json"))
    assert compared.exit_code == 0, compared.output
    assert "roc_auc" in compared.output and "9 paired cases" in compared.output


def test_bad_input_exits_2_naming_the_problem(dataset: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = invoke(str(empty), "--out", str(tmp_path))
    assert result.exit_code == 2 and "empty.jsonl" in result.output and "no cases" in result.output
    empty_csv = tmp_path / "empty.csv"
    empty_csv.write_text("")
    result = invoke(str(empty_csv), "--mapping", str(tmp_path / "m.yaml"))
    assert result.exit_code == 2
    one_class = tmp_path / "one.jsonl"
    one_class.write_text(case(1, True).model_dump_json() + "\n" + case(2, True).model_dump_json() + "\n")
    result = invoke(str(one_class))
    assert result.exit_code == 2 and "both classes" in result.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text(case(1, True).model_dump_json() + "\n{not json\n")
    result = invoke(str(broken))
    assert result.exit_code == 2 and "line 2" in result.output
    result = invoke(str(dataset), "--fail-under", "speed=3")
    assert result.exit_code == 2 and "speed=3" in result.output
