"""Time expressions of the other languages leads are read in, rewritten into the English words the date reader knows.

German, French, Spanish, Portuguese, Italian, Dutch, Polish and Czech: month names (with the Polish and Czech case
forms), ordinal quarters ("terceiro trimestre", "1. Quartal", "pierwszego kwartału"), next / this year, quarter and
month, "end of", "early", "mid", "at the earliest", and the prepositions before a date ("bis", "avant", "antes de",
"entro", "do", "před"…). Only the copy the date reader parses is rewritten; quotes stay the lead's own words.

Words that are also everyday words elsewhere are rewritten only before something that is a date: Italian "mai" is
"never", German "vor" is also "ago", Polish "do" is also "to", so they change only in front of a month, a quarter, a year
or "end of".
"""

from __future__ import annotations

import re

_MONTHS: list[tuple[str, str]] = [
    ("January", r"januar\w*|j[äa]nner|janvier|enero|janeiro|gennaio|januari|stycz(?:e[ńn]|nia|niu)|led(?:en|na|nu)"),
    ("February", r"februar\w*|feber|f[ée]vrier|febrero|fevereiro|febbraio|februari|lut(?:y|ego|ym)|[úu]nor(?:a|u)?"),
    ("March", r"m[äa]rz|mars|marzo|mar[çc]o|maart|mar(?:zec|ca|cu)|b[řr]ez(?:en|na|nu)"),
    ("April", r"avril|abril|aprile|kwie(?:cie[ńn]|tnia|tniu)|dub(?:en|na|nu)"),
    ("May", r"mayo|maio|maggio|mei|maj(?:a|u)?|kv[ěe]t(?:en|na|nu)"),
    ("June", r"juni|juin|junio|junho|giugno|czerw(?:iec|ca|cu)|[čc]erv(?:en|na|nu)"),
    ("July", r"juli|juillet|julio|julho|luglio|lip(?:iec|ca|cu)|[čc]erven(?:ec|ce|ci)"),
    ("August", r"ao[ûu]t|agosto|augustus|sierp(?:ie[ńn]|nia|niu)|srp(?:en|na|nu)"),
    ("September", r"septembre|septiembre|setembro|settembre|wrze[śs](?:ie[ńn]|nia|niu)|z[áa][řr][íi]"),
    ("October", r"oktober|octobre|octubre|outubro|ottobre|pa[źz]dziernik(?:a|u)?|[řr][íi]j(?:en|na|nu)"),
    ("November", r"novembre|noviembre|novembro|listopad(?:a|zie|u)?"),
    ("December", r"dezember|d[ée]cembre|diciembre|dezembro|dicembre|grud(?:zie[ńn]|nia|niu)|prosin(?:ec|ce|ci)"),
]
# Any month's name, in English (or its abbreviation) or one of the other languages: "1. März", "15. ledna", "3 Jan."
MONTH_NAME = "|".join([r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*", *(rx for _, rx in _MONTHS)])
_ORDINALS: list[tuple[str, str]] = [
    ("1", r"erste[nrs]?|premier|1er|primer|primeiro|primo|eerste|pierwsz\w*|prvn[íi]m?"),
    ("2", r"zweite[nrs]?|deuxi[èe]me|second|segundo|secondo|tweede|drug\w*|druh[ée]m?"),
    ("3", r"dritte[nrs]?|troisi[èe]me|tercer|terceiro|terzo|derde|trzeci\w*|t[řr]et[íi]m?"),
    ("4", r"vierte[nrs]?|quatri[èe]me|cuarto|quarto|vierde|czwart\w*|[čc]tvrt[ée]m?"),
]
_QUARTER = r"quartal\w*|trimestre|kwarta[łl]\w*|[čc]tvrtlet[íi]\w*"
_MONTH_EN = "|".join(m for m, _ in _MONTHS)
# What may follow a word that is a date preposition only before a date.
_DATE_AHEAD = (
    rf"(?=(?:(?:the|dem|der|den|le|la|el|o|a|il|de|het)\s+)?(?:{_MONTH_EN}|Q[1-4]|H[12]|20\d\d|end of|early|mid|"
    r"next year|this year|next quarter|next month)\b)"
)

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b(?:{o})\s+(?:{_QUARTER})", re.I), f"Q{n}") for n, o in _ORDINALS
]
# Half-years: "erstes Halbjahr 2027", "premier semestre", "primer semestre de 2027", "eerste helft van 2027", "first half
# of next year" → "H1 2027", "H1 next year".
_HALF = r"halbjahr\w*|semestre|helft|p[óo][łl]rocz\w*|pololet[íi]\w*"
_OF = r"(?:\s+(?:of|de|del|do|da|di|des|du|von|vom|van|het|roku|the))*"
_RULES += [
    (re.compile(rf"\b(?:{o})\s+(?:{_HALF}){_OF}\b\s*", re.I), f"H{n} ")
    for n, o in (("1", _ORDINALS[0][1]), ("2", _ORDINALS[1][1]))
]
# English "half" only before the year it halves: "second half of half the team" is no date.
_RULES += [
    (
        re.compile(rf"\b(?:the\s+)?(?:{en})\s+half\s+(?:of\s+)?(?:the\s+)?(?=20\d\d|next year|this year|year\b)", re.I),
        f"H{n} ",
    )
    for n, en in (("1", "first|1st"), ("2", "second|2nd"))
]
_RULES += [(re.compile(r"\bH([12]) year\b", re.I), r"H\1")]
_RULES += [(re.compile(rf"\b([12])\.\s*(?:{_HALF}){_OF}\b\s*", re.I), r"H\1 ")]
_RULES += [
    (re.compile(rf"\b([1-4])\.?\s*(?:{_QUARTER})", re.I), r"Q\1"),
    (re.compile(rf"\b(?:{_QUARTER})\s+([1-4])\b", re.I), r"Q\1"),
]
_RULES += [(re.compile(rf"(?<!\w)(?:{rx})(?!\w)", re.I), en) for en, rx in _MONTHS]
# Seasons (read as the northern hemisphere's: spring March–May …). Italian "estate" is summer only after a preposition
# or an article, as English has the word too.
_RULES += [
    (re.compile(rf"(?<!\w)(?:{rx})(?!\w)", re.I), en)
    for en, rx in (
        (
            "summer",
            r"sommer|[ée]t[ée]|verano|ver[ãa]o|(?:l'|d'|quest'|in |prossima |dopo l')estate|zomer|lat(?:o|em)|l[ée]t[oa]",
        ),
        ("spring", r"fr[üu]hling|fr[üu]hjahr|printemps|primavera|lente|wiosn[aąy]|jar[oa]"),
        ("autumn", r"herbst|automne|oto[ñn]o|outono|autunno|herfst|jesie[ńn]|jesieni[ąa]|podzim"),
        ("winter", r"hiver|invierno|inverno|zim[aąy]|zimou"),
    )
]
_RULES += [
    # Italian "mai" is "never", French and German "mai" is May: only after a preposition or a day.
    (
        re.compile(
            r"\b(im|en|au|bis|ab|vor|nach|avant|apr[èe]s|fin|d[ée]but|ende|anfang|mitte|\d{1,2}\.?)\s+mai\b", re.I
        ),
        r"\1 May",
    ),
    (
        re.compile(
            r"\b(?:(?:im |in )?n[äa]chste[nsm]? jahr\w*|kommende[ns]? jahr\w*|l'ann[ée]e prochaine|l'an prochain|"
            r"(?:el )?a[ñn]o (?:que viene|pr[óo]ximo)|(?:el )?pr[óo]ximo a[ñn]o|(?:do |o )?ano que vem|(?:o )?pr[óo]ximo ano|"
            r"l'anno prossimo|(?:il )?prossimo anno|volgend jaar|(?:w )?przysz[łl]ym roku|przysz[łl]ego roku|"
            r"p[řr][íi][šs]t[íi](?:m|ho)? rok[ua]?)\b",
            re.I,
        ),
        "next year",
    ),
    (
        re.compile(
            r"\b(?:dieses jahr|diesem jahr|cette ann[ée]e|este a[ñn]o|este ano|quest'anno|dit jaar|w tym roku|letos)\b",
            re.I,
        ),
        "this year",
    ),
    (
        re.compile(
            r"\b(?:n[äa]chste[sn]? quartal\w*|(?:le )?prochain trimestre|trimestre prochain|(?:el |o )?pr[óo]ximo trimestre|"
            r"(?:il )?prossimo trimestre|volgend kwartaal|(?:w )?przysz[łl]ym kwartale|p[řr][íi][šs]t[íi]m? [čc]tvrtlet[íi])\b",
            re.I,
        ),
        "next quarter",
    ),
    (
        re.compile(
            r"\b(?:n[äa]chste[nm]? monat|(?:le )?mois prochain|(?:el |o )?pr[óo]ximo m[eê]s|(?:il )?prossimo mese|"
            r"volgende maand|(?:w )?przysz[łl]ym miesi[ąa]cu|p[řr][íi][šs]t[íi]m? m[ěe]s[íi]c\w*)\b",
            re.I,
        ),
        "next month",
    ),
    (
        re.compile(
            r"\b(?:fin(?:ales)? de(?:l)? a[ñn]o|fin (?:de l'|d')ann[ée]e|fim do ano|final do ano|fine (?:dell')?anno|"
            r"jahresende|ende des jahres|eind van het jaar|jaareinde|ko[ńn]ca? roku|konce roku|konec roku)\b",
            re.I,
        ),
        "end of this year",
    ),
    (
        re.compile(
            r"\b(?:do ko[ńn]ca|do konce|bis (?:zum )?ende(?: des| von)?|d'ici (?:la )?fin(?: de| d')?)\s*", re.I
        ),
        "by the end of ",
    ),
]
# "en los próximos 12 meses", "dans les 6 prochains mois", "in den nächsten 8 Wochen" …: the next N months/weeks/days
_NEXT_N = (
    r"\b(?:(?:en |nos |in |w |v )?(?:los |las |os |as |de |den |ci[ąa]gu )?(?:pr[óo]xim[oa]s|n[äa]chsten|komende|"
    r"najbli[żz]szych|p[řr][íi][šs]t[íi]ch|nejbli[žz][šs][íi]ch)\s+(\d+)\s+(?:{u})|"
    r"(?:dans |d'ici )?les\s+(\d+)\s+prochain(?:e?s)\s+(?:{u}))\b"
)
_RULES += [
    (re.compile(_NEXT_N.format(u=units), re.I), rf"in the next \1\2 {en}")
    for units, en in (
        (r"meses|monaten|maanden|miesi[ęe]cy|m[ěe]s[íi]c[íi]ch|m[ěe]s[íi]c[ůu]|mois", "months"),
        (r"semanas|wochen|weken|tygodni|t[ýy]dnech|t[ýy]dn[ůu]|semaines", "weeks"),
        (r"d[íi]as|dias|tagen|dagen|dni|dnech|dn[ůu]|jours", "days"),
    )
]
_RULES += [
    (
        re.compile(
            r"\b(?:ende(?: des| von)?(?=\s+(?:20\d\d|Q[1-4]|[A-Z]))|fin(?:e)?(?: de| d'| di)?(?=\s*(?:20\d\d|Q[1-4]|[A-Z]))|"
            r"finales de|final de|fim de|fim do|eind|koniec|konec)\s*",
            re.I,
        ),
        "end of ",
    ),
    (
        re.compile(
            r"\b(?:anfang|d[ée]but(?: de| d')?|principios de|inicio de|in[íi]cio de|inizio(?: di)?|begin|pocz[ąa]tek|"
            r"za[čc][áa]tek)\s*" + _DATE_AHEAD,
            re.I,
        ),
        "early ",
    ),
    (
        re.compile(
            r"\b(?:mitte|mi-|mediados de|meados de|met[àa](?: di)?|midden|po[łl]owa|polovina)\s*" + _DATE_AHEAD, re.I
        ),
        "mid ",
    ),
    (
        re.compile(
            r"\b(?:fr[üu]hestens|au plus t[ôo]t|como (?:muy )?pronto|no m[íi]nimo|al pi[uù] presto|op (?:zijn )?vroegst|"
            r"najwcze[śs]niej|nejd[řr][íi]ve)\b\s*",
            re.I,
        ),
        "not before ",
    ),
    (
        re.compile(
            r"\b(?:vor|avant(?: le| la)?|antes d[eoa]l?|prima d[ie]l?|voor|przed|p[řr]ed)\s+" + _DATE_AHEAD, re.I
        ),
        "before ",
    ),
    (
        re.compile(
            r"\b(?:bis(?: zum| zur)?|jusqu'(?:à|au|en)|d'ici(?: à| la)?|hasta(?: el| la)?|at[ée](?: ao| à| o| a)?|entro(?: il| la)?|"
            r"uiterlijk|tot|do|a[žz] do)\s+" + _DATE_AHEAD,
            re.I,
        ),
        "by ",
    ),
    (
        re.compile(
            r"\b(?:nach|apr[èe]s(?: le| la)?|despu[ée]s de(?:l)?|depois d[oae]|dopo(?: il| la)?|po)\s+" + _DATE_AHEAD,
            re.I,
        ),
        "after ",
    ),
    (re.compile(r"\b(?:im|nel|nell'|w|v|ve|em|no|na)\s+" + _DATE_AHEAD, re.I), "in "),
]


# A day of the month as the other languages write it, once the month is in English: "1er February", "1. January",
# "1° February", "15 de March de 2027" → "1 February", "15 March 2027".
_DAY_MARK = re.compile(rf"\b(\d{{1,2}})(?:er|re|ère|º|°|\.)\s*(?=(?:{_MONTH_EN})\b)")
_DAY_DE = re.compile(rf"\b(\d{{1,2}})\s+(?:de|d')\s*((?:{_MONTH_EN})\b)(?:\s+(?:de|del)\s+(\d{{4}}))?")


def english_time(text: str) -> str:
    """`text` with its time expressions in English words ('frühestens Ende 2027' → 'not before end of 2027')."""
    for pattern, english in _RULES:
        text = pattern.sub(english, text)
    text = _DAY_MARK.sub(r"\1 ", text)
    return _DAY_DE.sub(lambda m: f"{m.group(1)} {m.group(2)}" + (f" {m.group(3)}" if m.group(3) else ""), text)
