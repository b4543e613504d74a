"""Questions written in English, leads written in other languages: what the cross-language model lets the embedded
judge read (library.embeddings.MultilingualEmbedder), and what it must not decide alone. This file's own fictional
seller; the real models (shipped with the project; no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.judges.local import LocalJudge
from agent.schemas import Enrichment, Lead, QuestionAnswer
from library.reading import read_question
from library.schemas import QualifyingQuestion, Seller

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
SELLER = Seller(
    name="Larder",
    product="Larder Stock",
    description="Stock and food-cost software for restaurant groups.",
    category="restaurant inventory software",
    regions=["EU"],
    languages=["en", "fr", "es", "de"],
)


def q(qid: str, text: str, category: str = "fit", fit_type: str = "good") -> QualifyingQuestion:
    question = QualifyingQuestion(id=qid, text=text, category=category, weight=5, fit_type=fit_type)  # type: ignore[arg-type]
    return question.model_copy(update={"reading": read_question(question, SELLER, [])})


WASTE = q("waste", "Are they throwing away too much food because stock goes off before it is used?", "need")
AGENCY = q(
    "agency",
    "Is this a consultant or agency asking on behalf of its restaurant clients rather than for its own kitchens?",
    "disqualifier",
    "bad",
)
SITES = q("sites", "Do they run at least 10 restaurants?")


@pytest.fixture(scope="module")
def models():  # type: ignore[no-untyped-def]
    embeddings = pytest.importorskip("library.embeddings")
    return embeddings.get_embedder(), embeddings.get_multilingual()


@pytest.fixture(scope="module")
def judge(models) -> LocalJudge:  # type: ignore[no-untyped-def]
    english, across = models
    return LocalJudge(english, meaning=across)


def ask(judge: LocalJudge, question: QualifyingQuestion, notes: str) -> QuestionAnswer:
    lead = Lead(company={"name": "Casa Nova"}, notes=notes, received_at=NOW)
    [answer] = judge.answer(lead, Enrichment(), [question], NOW, seller=SELLER, competitors=[])
    return answer


def test_the_cross_language_model_puts_a_sentence_near_its_meaning_in_english(models) -> None:  # type: ignore[no-untyped-def]
    english, across = models
    topic = "food is thrown away because stock expires"
    spanish = "Tiramos mucha comida cada semana porque el stock caduca antes de usarlo."
    unrelated = "Our head office moved to a new building in March."
    for model in (across,):
        t, s, u = model.embed([topic, spanish, unrelated])
        assert float(s @ t) > float(u @ t) + 0.2
    # The English model cannot see it: that is why the judge has the other one.
    t, s, u = english.embed([topic, spanish, unrelated])
    assert float(s @ t) < 0.3


@pytest.mark.parametrize(
    ("question", "notes"),
    [
        (WASTE, "Tiramos mucha comida cada semana porque el stock caduca antes de usarlo."),
        (WASTE, "Wir werfen jede Woche zu viele Lebensmittel weg, weil die Ware verdirbt."),
        (AGENCY, "Nous sommes un cabinet de conseil et cherchons un outil à recommander à nos clients restaurateurs."),
    ],
)
def test_a_clause_in_another_language_that_says_what_the_question_asks_is_a_quoted_yes(
    judge: LocalJudge, question: QualifyingQuestion, notes: str
) -> None:
    answer = ask(judge, question, notes)
    assert answer.answer == "yes", answer.reasoning
    assert answer.evidence and answer.evidence[0].quote in notes


def test_without_the_cross_language_model_the_same_lead_stays_unknown(models) -> None:  # type: ignore[no-untyped-def]
    english, _ = models
    # (the French agency lead above is now also read by the partner cue list, "à nos clients": the pain is not)
    notes = "Wir werfen jede Woche zu viele Lebensmittel weg, weil die Ware verdirbt."
    assert ask(LocalJudge(english), WASTE, notes).answer == "unknown"


@pytest.mark.parametrize(
    ("question", "notes"),
    [
        # Said not to be the case: meaning alone never makes that a yes.
        (WASTE, "Nous ne jetons presque rien : le gaspillage n'est pas un problème chez nous."),
        # A number question is the count reader's: "several restaurants" is no count, in any language.
        (SITES, "Tenemos varios restaurantes en Madrid y Valencia."),
        # English text the typed reading left unknown is not re-read by meaning: the chef teaching is not the lead
        # asking for clients.
        (AGENCY, "Our head chef also teaches a class for the local catering college."),
    ],
)
def test_what_meaning_alone_must_not_decide(judge: LocalJudge, question: QualifyingQuestion, notes: str) -> None:
    answer = ask(judge, question, notes)
    assert answer.answer != "yes", answer.reasoning


DEMO = q("demo", "In the 7 days before the lead came in, did they ask for a demo or start a trial?", "intent")


@pytest.mark.parametrize(
    "form",
    [
        {"¿Qué te gustaría hacer?": "Agendar una demo esta semana"},
        {"Message": "J'aimerais une démo la semaine prochaine svp."},
        {"Message": "Could we get a trial account for two of our sites?"},
    ],
)
def test_a_lead_asking_for_a_demo_in_its_own_words_has_requested_one(judge: LocalJudge, form: dict[str, str]) -> None:
    lead = Lead(company={"name": "Casa Nova"}, form_answers=form, received_at=NOW)
    [answer] = judge.answer(lead, Enrichment(), [DEMO], NOW, seller=SELLER, competitors=[])
    assert answer.answer == "yes", answer.reasoning
    assert answer.evidence[0].quote in next(iter(form.values()))


@pytest.mark.parametrize(
    "notes",
    [
        "We had a demo of another stock tool last year and did not like it.",  # past, and not of this seller
        "No demo please, just send the price list.",  # declined
        "Maybe a demo later, once the new site is open.",  # hedged
    ],
)
def test_a_demo_mentioned_but_not_asked_for_is_not_a_request(judge: LocalJudge, notes: str) -> None:
    assert ask(judge, DEMO, notes).answer != "yes"
