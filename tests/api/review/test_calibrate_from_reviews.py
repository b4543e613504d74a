"""`qualify calibrate --from-reviews` end to end: leads reviewed through the API in a real database (SDR confirm and AE
accept = SQL; SDR reject and AE push-back = not) refit a library's model.json on the command line; the new model loads
and scores leads differently; no reviews, reviews all one way and too few reviews exit 2 with a clear message and
leave model.json as it was."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from agent.features import FeatureContext
from agent.fitted import explain
from agent.schemas import Lead
from api.cli import app
from api.runtime import Runtime
from api.settings import get_settings
from library.loader import load_library
from tests.api.review.conftest import People, card, confirm_body, new_lead

MAPPING = """
name: trial
label: {column: won, positive: ["yes"], negative: ["no"]}
form:
  - {column: minutes, question: minutes}
  - {column: channel, question: channel}
sets:
  main:
    features: {numeric: [minutes], categorical: [channel]}
"""


def _past_leads(path: Path) -> Path:
    """Past leads where long trials did *not* convert: the reviews below say the opposite."""
    rng = np.random.default_rng(5)
    lines = ["minutes,channel,won"]
    for i in range(300):
        minutes = float(rng.uniform(0, 60))
        y = rng.random() < 1 / (1 + np.exp(-(1.5 - 0.06 * minutes)))
        lines.append(f"{minutes:.1f},{['ads', 'web'][i % 2]},{'yes' if y else 'no'}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


@pytest.fixture()
def cli_db(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line reads the same database the API wrote (as a user's shell would, through settings)."""
    monkeypatch.setenv("QUALIFY_DATA_DIR", str(runtime.settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", runtime.settings.resolved_database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _lead(api: TestClient, runtime: Runtime, people: People, minutes: float, ae: str | None = None) -> str:
    channel = "ads" if int(minutes) % 2 else "web"
    return new_lead(api, runtime, people, ae=ae, form_answers={"minutes": f"{minutes:.1f}", "channel": channel})


def _confirm(api: TestClient, people: People, lead_id: str) -> None:
    r = api.post(f"/leads/{lead_id}/review/confirm", json=confirm_body(api, people, lead_id), headers=people.h("sdr"))
    assert r.status_code == 200, r.text


def _reject(api: TestClient, people: People, lead_id: str) -> None:
    r = api.post(
        f"/leads/{lead_id}/review/reject", json={"revision": 1, "reason": "no_budget"}, headers=people.h("sdr")
    )
    assert r.status_code == 200, r.text


def _refit(lib: Path, *extra: str):  # type: ignore[no-untyped-def]
    result = _cli("calibrate", "--from-reviews", "--library", str(lib), "--folds", "2", "--method", "logistic", *extra)
    return result, " ".join(result.output.split())


def _p(lib: Path, minutes: float) -> float:
    model = load_library(lib).scoring.model
    assert model is not None
    lead = Lead(company={"name": "x"}, form_answers={"minutes": str(minutes), "channel": "web"})
    return explain(model, FeatureContext(lead)).probability


def test_reviews_refit_the_model_on_the_command_line(
    api: TestClient, runtime: Runtime, people: People, cli_db: None, tmp_path: Path
) -> None:
    lib = tmp_path / "trial"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING)
    fitted = _cli(
        "calibrate", str(_past_leads(tmp_path / "past.csv")), "--mapping", str(mapping), "--library", str(lib)
    )
    assert fitted.exit_code == 0, fitted.output
    before = (lib / "model.json").read_text()
    assert _p(lib, 55) < _p(lib, 5)  # the past leads' model: long trials score low

    # No reviews yet.
    result, said = _refit(lib)
    assert result.exit_code == 2 and "no reviewed leads yet" in said
    # Reviews all one way: three SDR confirms.
    confirmed = [_lead(api, runtime, people, m) for m in (48, 52, 57)]
    for lead_id in confirmed:
        _confirm(api, people, lead_id)
    result, said = _refit(lib)
    assert result.exit_code == 2 and "all 3 reviewed lead(s) are SQL (confirmed or accepted)" in said
    assert "needs rejected or pushed-back leads too" in said
    # Too few of one class for the folds asked.
    _reject(api, people, _lead(api, runtime, people, 6))
    result, said = _refit(lib)
    assert result.exit_code == 2 and "too few reviews to refit with 2-fold CV: 3 SQL and 1 not" in said
    assert (lib / "model.json").read_text() == before  # nothing was written by a refused refit

    # Enough reviews: long trials confirmed (and accepted by an AE), short ones rejected or pushed back by the AE.
    rng = np.random.default_rng(11)
    for minutes in rng.uniform(35, 60, 9):
        _confirm(api, people, _lead(api, runtime, people, minutes))
    for minutes in rng.uniform(0, 25, 9):
        _reject(api, people, _lead(api, runtime, people, minutes))
    accepted, pushed = _lead(api, runtime, people, 50, ae="ae"), _lead(api, runtime, people, 9, ae="ae")
    for lead_id, action, body in ((accepted, "accept", {}), (pushed, "push-back", {"reason": "no_authority"})):
        _confirm(api, people, lead_id)
        rev = card(api, people, lead_id)["revision"]
        r = api.post(f"/leads/{lead_id}/review/{action}", json={"revision": rev, **body}, headers=people.h("ae"))
        assert r.status_code == 200, r.text
    _reject(api, people, _lead(api, runtime, people, 40))  # one long trial that was not a fit: labels are not perfect
    _confirm(api, people, _lead(api, runtime, people, 15))

    result, said = _refit(lib)
    assert result.exit_code == 0, result.output
    assert "26 reviewed lead(s): 14 SQL (confirmed / accepted), 12 not" in said
    assert f"written to {lib / 'model.json'}" in said
    envelope = json.loads((lib / "model.json").read_text())
    prov = envelope["model"]["provenance"]
    assert (prov["data_file"], prov["rows"], prov["positives"]) == ("reviews", 26, 14)
    # The refitted model loads and turns the ranking round: long trials now score high.
    assert _p(lib, 55) > _p(lib, 5)
    assert (lib / "model.json").read_text() != before
