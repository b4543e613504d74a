"""Time words of the other languages are read as the English ones (ANSWERS.md: timeframes in at least German, French,
Spanish, Portuguese, Italian, Dutch, Polish and Czech), and words that are also everyday words are left alone."""

from __future__ import annotations

from datetime import date

import pytest

from agent.facts.amounts import dates
from agent.facts.timewords import english_time

REF = date(2026, 11, 6)


@pytest.mark.parametrize(
    ("text", "start", "end", "open_ended"),
    [
        ("Só vamos comprar no terceiro trimestre do ano que vem.", "2027-07-01", "2027-09-30", False),
        ("Einführung frühestens Ende 2027.", "2027-12-01", "2027-12-31", True),
        ("Wdrożenie do końca pierwszego kwartału 2027.", "2027-01-01", "2027-03-31", False),
        ("Wir wollen bis März live sein.", "2026-11-06", "2027-03-31", False),
        ("Lancement prévu fin janvier.", "2027-01-21", "2027-01-31", False),
        ("Queremos arrancar en el primer trimestre.", "2027-01-01", "2027-03-31", False),
        ("Vogliamo partire entro giugno.", "2026-11-06", "2027-06-30", False),
        ("We willen in mei live.", "2027-05-01", "2027-05-31", False),
        ("Chcemy wdrożyć w przyszłym roku.", "2027-01-01", "2027-12-31", False),
        ("Im Mai starten.", "2027-05-01", "2027-05-31", False),
        ("Só depois do Carnaval.", "2027-02-09", "2027-02-09", True),
        ("Start im 2. Quartal 2027.", "2027-04-01", "2027-06-30", False),
        ("Zum 1. Jänner 2027", "2027-01-01", "2027-01-01", False),  # Austrian German month name, the day in German form
        ("Umstellung im Feber.", "2027-02-01", "2027-02-28", False),
        # the day of the month as each language writes it
        ("Mise en service visée au 1er mars 2027.", "2027-03-01", "2027-03-01", False),
        ("Arranque el 15 de enero de 2027.", "2027-01-15", "2027-01-15", False),
        ("Go-live a 3 de maio.", "2027-05-03", "2027-05-03", False),
        ("Avvio il 1° febbraio 2027.", "2027-02-01", "2027-02-01", False),
        ("Spuštění 1. února 2027.", "2027-02-01", "2027-02-01", False),
        # seasons, northern hemisphere: the next one that has not ended, or the year named
        ("Not looking to switch anything until next summer.", "2026-11-06", "2027-05-31", False),
        ("Reconnect summer 2027.", "2027-06-01", "2027-08-31", False),
        ("Nach dem Sommer.", "2027-09-01", "2027-09-01", True),
        ("Après l'été.", "2027-09-01", "2027-09-01", True),
        ("Queremos arrancar en primavera.", "2027-03-01", "2027-05-31", False),
        ("Wdrożenie jesienią 2027.", "2027-09-01", "2027-11-30", False),
        ("In the fall we could start.", "2026-11-06", "2026-11-30", False),  # said in November: this fall
        ("This winter.", "2026-12-01", "2027-02-28", False),
        # half-years, and a year "at the earliest" that starts the window rather than ending it
        ("Zeithorizont: erstes Halbjahr 2027.", "2027-01-01", "2027-06-30", False),
        ("Go-live in the first half of 2027.", "2027-01-01", "2027-06-30", False),
        ("Lancement au premier semestre 2027.", "2027-01-01", "2027-06-30", False),
        ("Arranque en el segundo semestre de 2027.", "2027-07-01", "2027-12-31", False),
        ("Livegang in de eerste helft van 2027.", "2027-01-01", "2027-06-30", False),
        ("Wdrożenie w pierwszym półroczu 2027.", "2027-01-01", "2027-06-30", False),
        ("Frühestens 2028.", "2028-01-01", "2028-01-01", True),
        ("Wir wollen Anfang nächsten Jahres starten.", "2027-01-01", "2027-03-31", False),  # early next year
        ("Go-live mid next year.", "2027-05-01", "2027-08-31", False),
        ("Umstellung bis Ende des nächsten Quartals.", "2026-11-06", "2027-03-31", False),
        ("Antes de fin de año.", "2026-11-06", "2026-12-31", False),
        ("Wdrożenie do końca roku.", "2026-11-06", "2026-12-31", False),
        ("Not until 2028.", "2028-01-01", "2028-12-31", True),
    ],
)
def test_timeframes_in_other_languages(text: str, start: str, end: str, open_ended: bool) -> None:
    [w] = dates(text, REF)
    assert (w.start.isoformat(), w.end.isoformat(), w.open_ended) == (start, end, open_ended)


@pytest.mark.parametrize(
    "text",
    [
        "non abbiamo mai usato un CRM",  # Italian 'mai' is 'never'
        "vor zwei Wochen angefragt",  # German 'vor' is also 'ago'
        "Wyślę to do Pana jutro",  # Polish 'do' is also 'to'
        "Half of our team works a second half shift",  # English 'half' without a year it halves
    ],
)
def test_everyday_words_are_not_dates(text: str) -> None:
    assert english_time(text) == text


@pytest.mark.parametrize("text", ["Fall back to paper if the app is down.", "Our real estate team"])
def test_season_words_that_are_not_seasons(text: str) -> None:
    assert dates(text, REF) == []
