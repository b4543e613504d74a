"""A model fitted by `qualify calibrate` scores leads whose log-odds breakdown adds up to the probability shown."""

from __future__ import annotations

import math
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from agent.features import FeatureContext
from agent.fitted import contributions, sigmoid
from agent.schemas import EngagementEvent, Lead
from agent.scoring import ScoringInputs, score
from api.cli import app
from library.loader import load_library
from library.schemas import Library
from tests.evals.test_calibrate import MAPPING, ROOT, write_csv

AS_OF = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Library:
    tmp = tmp_path_factory.mktemp("fitted")
    shutil.copytree(ROOT / "library/data/x-education", tmp / "library")
    (tmp / "mapping.yaml").write_text(MAPPING)
    result = CliRunner().invoke(
        app,
        [
            "calibrate",
            str(write_csv(tmp / "leads.csv")),
            "--mapping",
            str(tmp / "mapping.yaml"),
            "--feature-set",
            "A",
            "--library",
            str(tmp / "library"),
            "--folds",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    return load_library(tmp / "library")


@pytest.mark.parametrize(
    ("origin", "minutes", "visits"), [("referral", "25", 6), ("ad", "0", 0), ("web", None, 2), ("billboard", "3.5", 1)]
)
def test_the_log_odds_breakdown_adds_up_to_the_fitted_probability(
    fitted: Library, origin: str, minutes: str | None, visits: int
) -> None:
    model = fitted.scoring.model
    assert model is not None and model.provenance is not None
    form = {"origin": origin, **({"minutes": minutes} if minutes is not None else {})}
    lead = Lead(
        form_answers=form,
        events=[EngagementEvent(type="site_visit", timestamp=AS_OF - timedelta(days=i + 1)) for i in range(visits)],
    )
    segment = fitted.segments[0]
    r = score(
        ScoringInputs(
            50,
            [],
            [],
            fitted.questions_for(segment.id),
            lead.events,
            segment.thresholds,
            AS_OF,
            lead=lead,
            segment_id=segment.id,
            sql=segment.sql,
        ),
        fitted.scoring,
    )
    b = r.breakdown
    assert b is not None and b.scale == "log_odds"
    z, _ = contributions(model, FeatureContext(lead, [], 50, r.intent_score))
    assert b.base + sum(f.points for f in b.contributions) == pytest.approx(b.total, abs=1e-9)
    assert b.total == pytest.approx(z, abs=1e-9)
    assert r.probability == pytest.approx(sigmoid(z), abs=1e-6) and r.score == pytest.approx(round(100 * sigmoid(z), 1))
    p = model.provenance
    assert f"base rate {p.positives / p.rows:.1%} ({p.positives:,} SQL of {p.rows:,} leads)" in b.base_label
    assert math.isfinite(b.base)
