"""`qualify review stats`: per question, how often reviewers changed the AI's answer and to what."""

from __future__ import annotations

from api.review.stats import review_stats


def test_changes_are_counted_per_question_with_their_direction() -> None:
    stats = {
        s.question_id: s
        for s in review_stats(
            [
                ("budget", "yes", "no"),
                ("budget", "yes", "no"),
                ("budget", "unknown", "yes"),
                ("budget", "yes", "yes"),
                ("timeline", "no", "no"),
            ]
        )
    }
    budget, timeline = stats["budget"], stats["timeline"]
    assert (budget.reviewed, budget.changed) == (4, 3) and budget.change_rate == 0.75
    assert budget.transitions == {("yes", "no"): 2, ("unknown", "yes"): 1}
    assert (timeline.changed, timeline.change_rate, dict(timeline.transitions)) == (0, 0.0, {})


def test_the_most_changed_question_comes_first() -> None:
    order = [
        s.question_id
        for s in review_stats([("a", "yes", "yes"), ("b", "yes", "no"), ("c", "no", "yes"), ("c", "no", "unknown")])
    ]
    assert order == ["c", "b", "a"]


def test_stored_edits_are_counted(api, runtime, people) -> None:  # noqa: ANN001
    from api.review.stats import stored_review_stats
    from tests.api.review.conftest import card, new_lead

    lead_id = new_lead(api, runtime, people)
    sc = card(api, people, lead_id)
    q = sc["answers"][0]
    human = "no" if q["answer"] == "yes" else "yes"
    body = {
        "revision": sc["revision"],
        "question_id": q["question_id"],
        "answer": human,
        "evidence": "Processing 4,000 invoices a month by hand",
        "note": "Checked on the call",
    }
    assert api.post(f"/leads/{lead_id}/review/edit", json=body, headers=people.h("sdr")).status_code == 200
    with runtime.sessions() as s:
        stats = {r.question_id: r for r in stored_review_stats(s)}
    got = stats[q["question_id"]]
    assert (got.reviewed, got.changed, dict(got.transitions)) == (1, 1, {(q["answer"], human): 1})
