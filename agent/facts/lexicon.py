"""Cue words in the languages Qualify reads (en, de, fr, es, pt, it, nl, pl, cs): negation, hedging, past tense,
contrast, pain and contentment, authority, and text addressed to an AI. Patterns, not per-question keywords: they say
how something is said, never what a particular seller's question is about."""

from __future__ import annotations

import re


def rx(*parts: str) -> re.Pattern[str]:
    """Whole-word alternatives, case-insensitive."""
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])", re.I)


NEGATORS = rx(
    r"no",
    r"not",
    r"never",
    r"none",
    r"nothing",
    r"nobody",
    r"neither",
    r"nor",
    r"without",
    r"zero",
    r"cannot",
    r"\w+n't",
    r"\w+n’t",
    r"nope",
    r"lack(?:s|ing)?",
    r"kein\w*",
    r"nicht",
    r"nie",
    r"niemals",
    r"ohne",
    r"nichts",  # de
    r"pas",
    r"aucune?",
    r"jamais",
    r"sans",
    r"rien",
    r"ne",
    r"n'\w+",
    r"n’\w+",  # fr
    r"nunca",
    r"ning[uú]n[oa]?",
    r"sin",
    r"nada",
    r"tampoco",  # es
    r"n[ãa]o",
    r"nenhum[a]?",
    r"sem",  # pt
    r"non",
    r"mai",
    r"nessun[oa]?",
    r"senza",
    r"niente",
    r"nulla",  # it
    r"geen",
    r"niet",
    r"nooit",
    r"zonder",
    r"niets",  # nl
    r"nie",
    r"brak\w*",
    r"[zż]adn\w*",
    r"bez",
    r"nigdy",  # pl
    r"ne",
    r"nen[ií]",
    r"[zž][aá]dn\w*",
    r"nikdy",
    r"nem\w+",
    r"nep\w+",
    r"nech\w+",
    r"nebud\w+",
    r"nejsou",  # cs
)
# Words that look like negation but negate nothing, removed before looking.
NOT_NEGATION = re.compile(
    r"\b(?:no later than|no more than|no less than|not only|no doubt|no problem|not a problem|no-brainer|no brainer|"
    r"can't wait|cannot wait|couldn't be happier|not bad|no matter|nothing else|second to none|no-code|no code|"
    r"if not|whether or not|not sure)\b",
    re.I,
)
FROZEN = rx(
    r"frozen",
    r"freeze",
    r"on hold",
    r"paused",
    r"ruled out",
    r"shelved",
    r"cancel(?:l)?ed",
    r"cut",
    r"eingefroren",
    r"gestoppt",
    r"gel[ée]e?s?",
    r"congelad[oa]s?",
    r"congelat[oa]",
    r"bevroren",
    r"zamro[zż]on\w*",
    r"zmrazen\w*",
    r"pozastaven\w*",
    r"wstrzyman\w*",
)

HEDGES = rx(
    r"might",
    r"maybe",
    r"perhaps",
    r"possibly",
    r"potentially",
    r"not sure",
    r"unsure",
    r"uncertain",
    r"unclear",
    r"tbd",
    r"tbc",
    r"to be (?:determined|confirmed)",
    r"need(?:s)? to (?:check|confirm|see|verify|ask|find out)",
    r"(?:have|had|would have|'d have|'d need) to (?:check|confirm|ask|see)",
    r"i'd need to \w+",
    r"(?:will|we'll|i'll|let me) (?:check|see|find out|get back)",
    r"don't know",
    r"do not know",
    r"no idea",
    r"not decided",
    r"undecided",
    r"depends",
    r"depending on",
    r"could be",
    r"may or may not",
    r"hard to say",
    r"we'll see",
    r"not clear",
    r"still figuring",
    r"figuring out",
    r"open question",
    r"if approved",
    r"if we get",
    r"pending",
    r"waiting (?:on|for)",
    r"hopefully",
    r"in theory",
    r"who knows",
    r"not yet decided",
    r"we may",
    r"it may",
    r"possibly",
    r"ask around",
    r"some point",
    r"probably",
    r"(?:not|nothing(?:'s| is)) set in stone",
    r"(?:when|once|if) we (?:pass|reach|hit|get to|grow (?:to|past|beyond)|cross)",  # a future size is not today's
    r"wahrscheinlich",
    r"probablement",
    r"rien (?:n'|n’)?est coul[ée] dans le b[ée]ton",
    r"probablemente",
    r"provavelmente",
    r"probabilmente",
    r"waarschijnlijk",
    r"prawdopodobnie",
    r"pravd[ěe]podobn[ěe]",
    r"vielleicht",
    r"eventuell",
    r"m[öo]glicherweise",
    r"unklar",
    r"wei[ßs] (?:ich )?nicht",
    r"muss (?:ich )?(?:noch )?\w*fragen",
    r"kl[äa]ren",
    r"mal sehen",
    r"kommt darauf an",
    r"h[äa]ngt (?:\w+ )?(?:davon|von)\b",
    r"abh[äa]ngig",
    r"je nachdem",
    r"unsicher",  # de
    r"peut[- ][êe]tre",
    r"[ée]ventuellement",
    r"pas s[ûu]re?",
    r"[àa] voir",
    r"[çc]a d[ée]pend",
    r"d[ée]pend",
    r"je dois demander",
    r"il faut que je (?:demande|v[ée]rifie)",
    r"[àa] confirmer",
    r"je ne sais pas",  # fr
    r"quiz[áa]s?",
    r"tal vez",
    r"a lo mejor",
    r"no estoy segur[oa]",
    r"depende",
    r"tengo que (?:consultar|preguntar|ver)",
    r"por confirmar",
    r"no s[ée]",
    r"puede que",  # es
    r"talvez",
    r"n[ãa]o tenho certeza",
    r"preciso (?:checar|verificar|perguntar|confirmar|ver)",
    r"a confirmar",
    r"n[ãa]o sei",
    r"pode ser",  # pt
    r"forse",
    r"magari",
    r"dipende",
    r"non sono sicur[oa]",
    r"devo (?:chiedere|verificare)",
    r"da confermare",
    r"non so",  # it
    r"misschien",
    r"eventueel",
    r"hangt (?:er )?van af",
    r"weet (?:ik )?(?:het )?niet",
    r"moet (?:ik )?\w*vragen",
    r"onzeker",
    r"nog onduidelijk",  # nl
    r"mo[zż]e",
    r"by[ćc] mo[zż]e",
    r"zale[zż]y",
    r"nie wiem",
    r"musz[ęe] (?:zapyta[ćc]|sprawdzi[ćc])",
    r"do potwierdzenia",
    r"nie jestem pewn\w*",  # pl
    r"mo[zž]n[áa]",
    r"z[áa]le[zž][ií]",
    r"nev[ií]m",
    r"mus[ií]m se zeptat",
    r"uvid[ií]me",
    r"nejsem si jist\w*",  # cs
)
PAST = rx(
    r"used to",
    r"moved (?:off|away from)",
    r"switched (?:away )?(?:from|off)",
    r"left",
    r"churned",
    r"dropped",
    r"cancel(?:l)?ed",
    r"ended",
    r"stopped (?:using)?",
    r"replaced",
    r"migrated (?:from|off)",
    r"previously",
    r"formerly",
    r"former",
    r"ago",
    r"until last (?:year|month|quarter|spring|summer|fall|autumn|winter)",
    r"were on",
    r"was on",
    r"used (?:[\w-]+ ){1,3}until",
    r"got rid of",
    r"ditched",
    r"sunset(?:ted)?",
    r"last (?:year|spring|summer|fall|autumn|winter)",
    r"fr[üu]her",
    r"bis letzte\w*",
    r"gewechselt",
    r"gek[üu]ndigt",
    r"vorher",
    r"ehemalig\w*",  # de
    r"auparavant",
    r"anciennement",
    r"avons quitt[ée]",
    r"a quitt[ée]",
    r"jusqu'[àa] l'ann[ée]e derni[èe]re",
    r"ancien(?:ne)?",  # fr
    r"anteriormente",
    r"dejamos",
    r"(?:hemos |han |ha )?dejado",
    r"cambiamos de",
    r"hasta el a[ñn]o pasado",
    r"antiguo",  # es
    r"sa[íi]mos",
    r"trocamos",
    r"at[ée] o ano passado",
    r"antigo",  # pt
    r"in passato",
    r"abbiamo lasciato",
    r"fino all'anno scorso",  # it
    r"vroeger",
    r"voorheen",
    r"tot vorig jaar",
    r"overgestapt van",
    r"gestopt met",  # nl
    r"wcze[śs]niej",
    r"kiedy[śs]",
    r"do zesz[łl]ego roku",
    r"zrezygnowali[śs]my",
    r"przeszli[śs]my z",  # pl
    r"d[řr][ií]ve",
    r"d[řr][ií]v",
    r"do lo[ňn]ska",
    r"p[řr]e[šs]li jsme z",
    r"p[řr]estali jsme",  # cs
)
FUTURE_ONLY = rx(r"will start", r"plan(?:ning)? to", r"going to", r"next year", r"considering", r"thinking about")
EVALUATING = rx(
    r"evaluat\w*",
    r"consider\w*",
    r"looking at",
    r"comparing",
    r"compare[ds]?",
    r"shortlist\w*",
    r"talking to",
    r"in talks with",
    r"trial(?:l)?ing",
    r"assessing",
    r"shopping around",
    r"demo(?:s|ed)? (?:with|of|from)",
    r"booked (?:[\w&,-]+ ){0,5}demos?",
    r"had (?:a|one) (?:call|demo) with",
    r"got (?:a )?quotes?",
    r"quote from",
    r"proposal from",
    r"pilot(?:ing)?",
    r"vergleichen",
    r"evaluieren",
    r"pr[üu]fen",
    r"angebot von",  # de
    r"comparons",
    r"comparer",
    r"[ée]valuons",
    r"regardons",  # fr
    r"evaluando",
    r"comparando",
    r"considerando",
    r"mirando",  # es/pt
    r"valutando",
    r"confrontando",  # it
    r"vergelijken",
    r"bekijken",
    r"evalueren",  # nl
    r"por[óo]wnujemy",
    r"rozwa[żz]amy",
    r"testujemy",  # pl
    r"porovn[áa]v\w+",
    r"zva[žz]ujeme",
    r"testujeme",  # cs
)
CONTRAST = re.compile(
    r"\s*(?:,\s*|\s)(?:but|however|although|though|whereas|except|yet|aber|jedoch|sondern|mais|cependant|pero|sino|"
    r"aunque|mas|por[ée]m|ma|per[òo]|tuttavia|maar|echter|ale|lecz|jednak|v[šs]ak|av[šs]ak)\s+|\s*;\s*|"
    # "We were on Zendesk until last year, now Freshdesk": what holds now is its own clause (the word stays in it)
    r",\s*(?=(?:and\s+)?(?:now|today|these days|nowadays|heute|jetzt|inzwischen|mittlerweile|seit\s+20\d\d|"
    r"maintenant|d[ée]sormais|aujourd'hui|ahora|hoy|actualmente|agora|hoje|atualmente|ora|adesso|oggi|nu|"
    r"tegenwoordig|teraz|obecnie|dzi[śs]|nyn[íi]|te[ďd]|dnes)\b)",
    re.I,
)
# What was so and is no more: "we used to do it all on paper", "früher per Excel", "ya no usamos …".
NO_LONGER = rx(
    r"used to",
    r"no longer",
    r"not any ?more",
    r"formerly",
    r"fr[üu]her",
    r"nicht mehr",
    r"auparavant",
    r"ne \w+ plus",
    r"ya no",
    r"sol[íi]amos",
    r"j[áa] n[ãa]o",
    r"costum[áa]vamos",
    r"non \w+ più",
    r"niet meer",
    r"vroeger",
    r"ju[żz] nie",
    r"u[žz] ne",
    r"d[řr][íi]v(?:e)?",
)
PAIN = rx(
    r"pain\w*",
    r"struggl\w*",
    r"problem\w*",
    r"issues?",
    r"mess(?:y)?",
    r"chaos",
    r"chaotic",
    r"nightmare",
    r"manual(?:ly)?",
    r"by hand",
    r"errors?",
    r"mistakes?",
    r"slow",
    r"delays?",
    r"late",
    r"missed",
    r"miss(?:ing)?",
    r"lost",
    r"losing",
    r"broken",
    r"frustrat\w*",
    r"complain\w*",
    r"waste\w*",
    r"wasting",
    r"drowning",
    r"overwhelm\w*",
    r"backlog",
    r"can't keep up",
    r"cannot keep up",
    r"pain point",
    r"headache",
    r"killing us",
    r"hurts?",
    r"terrible",
    r"awful",
    r"painful",
    r"inefficien\w*",
    r"downtime",
    r"break(?:s|downs?)",
    r"fail\w*",
    r"outages?",
    r"bottleneck",
    r"spreadsheets?",
    r"whiteboard",
    r"paper",
    r"double[- ]book\w*",
    r"duplicat\w*",
    r"churn\w*",
    r"fines?",
    r"finding",
    r"findings",
    r"audit",
    r"blocked",
    r"stuck",
    r"keeps? \w+ing",
    r"constantly",
    r"always",
    r"too much time",
    r"hours? (?:a|per|every)",
    r"chaos",
    r"Probleme?",
    r"Fehler",
    r"manuell",
    r"von Hand",
    r"desastre",
    r"d[ée]sastre",
    r"disastro",
    r"Katastrophe",
    r"katastrof\w*",
    r"(?:trop|muy|muito|molto|zu|te|bardzo|velmi|demasiado) (?:lent\w*|langsam|traag|powoln\w*|pomal\w*)",
    r"(?:veel )?te veel tijd|zu viel Zeit|trop de temps|demasiado tiempo|tempo demais|troppo tempo|"
    r"za du[żz]o czasu|p[řr][íi]li[šs] (?:mnoho )?[čc]asu",
    r"per Hand",
    r"h[äa]ndisch",
    r"m[üu]hsam",
    r"Chaos",
    r"Aufwand",
    r"Ausf[äa]ll\w*",
    r"Stillst[äa]nd\w*",
    r"probl[èe]mes?",
    r"erreurs?",
    r"gal[èe]re",
    r"pannes?",
    r"[àa] la main",
    r"problemas?",
    r"errores",
    r"errores?",
    r"a mano",
    r"ca[íi]das?",
    r"aver[íi]as?",
    r"falhas?",
    r"erros?",
    r"problemi",
    r"errori",
    r"guasti",
    r"fermi",
    r"problemen",
    r"fouten",
    r"storingen",
    r"handmatig",
    r"met de hand",
    # a spreadsheet by its name or in the other languages: "ses grilles Excel", "in Excel-Listen", "hoja de cálculo"
    r"Excel\w*",
    r"Google Sheets",
    r"tableurs?",
    r"hojas? de c[áa]lculo",
    r"folhas? de c[áa]lculo",
    r"fogli? di calcolo",
    r"Tabellenkalkulation",
    r"arkusz\w* kalkulacyjn\w*",
    r"tabulk\w*",
    r"problem(?:y|ów)?",
    r"b[łl][ęe]d\w*",
    r"awari\w*",
    r"przestoj\w*",
    r"r[ęe]cznie",
    r"probl[ée]m\w*",
    r"chyb\w*",
    r"poruch\w*",
    r"prostoj\w*",
    r"ru[čc]n[ěe]",
)
CONTENT = rx(
    r"fine",
    r"could(?:n'?t| not) be (?:happier|better|more (?:satisfied|pleased|content))",
    r"happy with",
    r"works? (?:well|fine|great|for us|ok(?:ay)?)",
    r"does the job",
    r"gets the job done",
    r"funktioniert (?:gut|ok|einwandfrei|problemlos)",
    r"fonctionne bien",
    r"funziona bene",
    r"werkt (?:prima|goed)",
    r"dzia[łl]a dobrze",
    r"funguje dob[řr]e",
    r"working (?:well|fine)",
    r"no complaints",
    r"smooth(?:ly)?",
    r"under control",
    r"not an issue",
    r"isn't an issue",
    r"not a (?:problem|priority|pain)",
    r"no (?:issues?|problems?|pain)",
    r"solid",
    r"satisfied",
    r"good enough",
    r"doing ok(?:ay)?",
    r"all good",
    r"sorted",
    r"handled",
    r"no need",
    r"zufrieden",
    r"l[äa]uft (?:gut|rund)",
    r"kein problem",
    r"satisfaits?",
    r"[çc]a marche",
    r"tout va bien",
    r"contentos",
    r"funciona bien",
    r"satisfeitos",
    r"funciona bem",
    r"soddisfatti",
    r"funziona bene",
    r"tevreden",
    r"werkt goed",
    r"zadowoleni",
    r"dzia[łl]a dobrze",
    r"spokojen[íi]",
    r"funguje dob[řr]e",
    r"without (?:any )?(?:problems?|issues?)",
    r"problemlos",
    r"ohne probleme",
    r"sans (?:aucun )?probl[èe]me",
    r"sin (?:ning[úu]n )?problemas?",
    r"sem (?:nenhum )?problemas?",
    r"senza problemi",
    r"zonder problemen",
    r"bez (?:[żz]adnych )?problem[óo]w",
    r"bez probl[ée]m[ůu]",
)
GENERIC_TITLE = rx(r"manager", r"operations lead", r"lead", r"team lead", r"supervisor", r"specialist", r"consultant")
AUTHORITY_YES = rx(
    r"i (?:can )?(?:sign|approve|decide|own the budget|make the (?:call|decision)|have (?:final )?sign[- ]off|control the budget)",
    r"i(?:'m| am) the (?:decision[- ]maker|one who (?:decides|signs)|budget (?:holder|owner)|final (?:say|decision))",
    r"they (?:can )?(?:signs?|approves?|decides?|owns? the budget)",
    r"can sign",
    r"signs? off",
    r"final (?:say|decision|sign[- ]off)",
    r"my (?:call|decision|budget|sign[- ]off)",
    r"approves? (?:anything|purchases|spend)",
    r"decision[- ]maker",
    r"budget (?:holder|owner)",
    r"signing authority",
    r"sign[- ]off authority",
    r"economic buyer",
    r"ich entscheide",
    r"entscheide ich",
    r"ich unterschreibe",
    r"entscheidungstr[äa]ger\w*",
    r"je d[ée]cide",
    r"c'est moi qui (?:d[ée]cide|signe)",
    r"d[ée]cideu[rs]e?",
    r"yo decido",
    r"decido yo",
    r"firmo yo",
    r"decisor\w*",
    r"eu decido",
    r"quem decide sou eu",
    r"decido io",
    r"firmo io",
    r"ik beslis",
    r"beslis ik",
    r"beslisser",
    r"decyduj[ęe]",
    r"ja decyduj[ęe]",
    r"podpisuj[ęe]",
    r"rozhoduji",
    r"rozhoduju",
    r"podepisuji",
    r"i make the final (?:call|decision)",
    r"i own the (?:business|company|firm)",
    r"i(?:'m| am) the (?:owner|ceo|founder|co-?founder|md|managing director|president|cfo)",
    r"(?:the )?(?:budget|or[çc]amento|presupuesto|Budget) [\w ]{0,40}(?:is mine|[ée] meu|es m[íi]o|ist meins)",
    r"sou o (?:dono|diretor\w*|s[óo]cio|ceo)",
    r"soy (?:el|la) (?:due[ñn][oa]|director\w*|ceo|gerente)",
    r"je suis (?:le|la) (?:g[ée]rant\w*|propri[ée]taire|pdg|directeur\w*|fondat\w+)",
    r"ich bin (?:der |die )?(?:gesch[äa]ftsf[üu]hrer\w*|inhaber\w*|eigent[üu]mer\w*)",
    r"sono (?:il|la) titolare",
    r"(?:[ée]|es|c'est|it'?s) (?:minha|mía|mia|moi|mine)(?: decis[ãa]o| decisi[óo]n)?",
)
# "She signs", "c'est elle qui signe", "entscheidet er": a third person signs or decides. Who that is depends on who
# wrote it: in the SDR's notes it is the contact the note is about; in the lead's own words (a form answer, an e-mail,
# what the prospect says on a call) it is somebody else.
AUTHORITY_THIRD = rx(
    r"(?:she|he) (?:can |will |alone )?(?:signs?|approves?|decides?|owns? the budget|makes the (?:final )?(?:call|decision)|"
    r"has (?:the )?final say)",
    r"c'est (?:lui|elle) qui (?:signe|d[ée]cide|valide)",
    r"(?:il|elle) (?:signe|d[ée]cide|valide)",
    r"(?:er|sie) (?:entscheidet|unterschreibt)",
    r"(?:entscheidet|unterschreibt) (?:er|sie)",
    r"(?:[ée]l|ella) (?:decide|firma)",
    r"(?:decide|firma) (?:[ée]l|ella)",
    r"(?:ele|ela) (?:decide|assina)",
    r"quem (?:decide|assina) [ée] (?:ele|ela)",
    r"(?:lui|lei) (?:decide|firma)",
    r"(?:decide|firma) (?:lui|lei)",
    r"(?:hij|zij) (?:beslist|tekent)",
    r"(?:beslist|tekent) (?:hij|zij)",
    r"(?:on|ona) (?:decyduje|podpisuje|rozhoduje|podepisuje)",
    # approving, and doing it oneself ("sama zatwierdza ten zakup", "genehmigt sie selbst")
    r"(?:she|he) (?:alone )?(?:approves|signs off)",
    r"(?:er|sie) (?:genehmigt|gibt (?:\w+ )?frei|entscheidet selbst|unterschreibt selbst)",
    r"(?:genehmigt|unterschreibt|entscheidet) (?:er|sie) selbst",
    r"(?:il|elle) (?:approuve|valide|signe) (?:lui|elle)-m[êe]me",
    r"(?:il|elle) approuve",
    r"(?:[ée]l|ella) (?:mism[oa] )?(?:aprueba|autoriza)",
    r"(?:ele|ela) (?:mesm[oa] )?(?:aprova|autoriza)",
    r"(?:lui|lei) (?:stess[oa] )?(?:approva|autorizza)",
    r"(?:hij|zij) keurt (?:\w+ ){0,3}goed",
    r"(?:on|ona|sam|sama) (?:zatwierdza|akceptuje)",
    r"(?:sam|sama) (?:decyduje|podpisuje)",
    r"(?:on|ona|s[áa]m|sama) schvaluje",
    r"(?:s[áa]m|sama) (?:rozhoduje|podepisuje)",
)
# The writer speaking of themself ("the owner asked me …"): in a note, the lead's own words quoted. "ja" and "eu" are
# left out: they are also "yes" and the European Union.
FIRST_PERSON = rx(
    r"i", r"me", r"my", r"i'm", r"ich", r"mich", r"mir", r"je", r"moi", r"yo", r"io", r"ik", r"mij", r"mnie"
)
AUTHORITY_NO = rx(
    r"(?:needs?|requires?|need) (?:the |our |my )?[\w' ]{0,20}(?:sign[- ]off|approval|ok|okay|blessing)",
    r"(?:has|have|had) to (?:go|run it|take it) (?:to|past|by) (?:the |our |my )?\w+",
    r"goes (?:to|through) (?:the |our |a )?(?:[\w-]+ )?(?:board|cfo|ceo|owner|committee|procurement|management)",
    r"(?:the |our |my )?(?:boss|owner|ceo|cfo|coo|board|director|gm|manager|vp|head office|hq|procurement|parent company) "
    r"(?:decides|signs|approves|makes the (?:call|decision)|has (?:the )?final say)",
    r"not the decision[- ]maker",
    r"(?:just|only) (?:collect(?:s|ing)?|gather(?:s|ing)?|get(?:s|ting)?) (?:quotes|info\w*|prices|pricing|input|"
    r"feedback|requirements|options)",
    r"(?:for|on behalf of) my (?:boss|manager|director)",
    r"can't sign",
    r"cannot sign",
    r"no authority",
    r"someone else (?:decides|signs)",
    r"above my pay ?grade",
    r"not my (?:call|decision)",
    r"(?:can|could|will) only (?:recommend|advise|suggest|influence)",
    r"only (?:recommends|advises|influences)",
    r"purchases? (?:go|goes|run|runs) (?:through|via) (?:the |our |group )?\w+",
    r"entscheidet (?:der|die|unser|unsere) \w+",
    r"muss (?:der|die) \w+ (?:freigeben|entscheiden|unterschreiben)",
    r"(?:c'est|le) (?:mon |notre )?\w+ qui d[ée]cide",
    r"decide (?:el|la|mi|nuestro) \w+",
    r"quem decide [ée] (?:o|a) \w+",
    r"decide (?:il|la|il mio|la mia) \w+",
    r"beslist (?:de|onze|mijn) \w+",
    r"decyduje (?:szef|zarz[ąa]d|dyrektor|prezes)",
    r"rozhoduje (?:[šs]\w+|\w+tel|vedení|majitel)",
    r"(?:cfo|ceo|coo|owner|md|managing director|president|board|pdg|dg|daf|propri[ée]taire|patron|g[ée]rant|due[ñn]o|jefe|"
    r"dono|chefe|gesch[äa]ftsf[üu]hrer\w*|chef\w*|inhaber\w*|titolare|eigenaar|directeur|prezes|szef|majitel|jednatel)\b"
    r"[^.?!]{0,40}?\b(?:decides|signs|approves|has the final say|makes the (?:final )?(?:call|decision)|signe|d[ée]cide|"
    r"entscheidet|unterschreibt|firma|assina|beslist|tekent|decyduje|podpisuje|rozhoduje|podepisuje)",
    # "I am not the one who decides", in the other languages
    r"ich bin nicht (?:der|die) (?:entscheider\w*|entscheidungstr[äa]ger\w*)|entscheide (?:das )?nicht (?:ich|allein)",
    r"je ne suis pas (?:le|la) (?:d[ée]cideu[rs]e?|d[ée]cisionnaire)|ce n'est pas moi qui (?:d[ée]cide|signe)",
    r"no soy (?:el|la) (?:que decide|decisor\w*)|no decido yo",
    r"n[ãa]o sou (?:o|a|eu) (?:decisor\w*|quem decide)|n[ãa]o decido eu",
    r"non sono (?:io )?(?:il|la|a) (?:decisore|decidere)|non decido io",
    r"ik ben niet de beslisser|ik beslis (?:dat )?niet",
    r"nie jestem osob[ąa] decyzyjn[ąa]|nie decyduj[ęe]|"
    r"(?:decyzj[ęe] podejmuje|zatwierdza) (?:zarz[ąa]d|szef\w*|dyrektor\w*|prezes\w*)",
    r"nejsem (?:ten|ta),? kdo rozhoduje|nerozhoduji|rozhoduje (?:vedení|[řr]editel\w*|majitel\w*)",
    r"la decisi[óo]n (?:final )?la toma",
    r"quem (?:decide|assina) [ée]",
    r"lo decide (?:el|la|nuestro|nuestra)",
    r"a decis[ãa]o (?:final )?[ée] d[oa]",
    # the final decision lies with someone named, not the speaker
    r"(?:final|last|ultimate) (?:decision|say|call|sign[- ]off) (?:is|lies|rests|sits|stays) with (?!me\b|us\b|myself\b)\w+",
    r"la decisi[óo]n (?:final )?la tiene",
    r"la d[ée]cision (?:finale )?(?:revient|appartient) (?:[àa]|au)",
    r"(?:finale|letzte|endg[üu]ltige) Entscheidung (?:trifft|liegt bei|hat) (?!mich\b|ich\b)\w+",
    r"a decis[ãa]o (?:final )?cabe",
    r"la decisione (?:finale )?spetta",
    r"(?:uiteindelijke |laatste )?beslissing ligt bij",
    r"decyzj\w* (?:nale[żz]y do|podejmuje)",
    r"rozhodnut[íi] (?:m[áa]|je na|d[ěe]l[áa])",
)
# Text addressed to an AI, a model or a reviewer, role markers, fake delimiters: never evidence, always flagged.
INJECTION = re.compile(
    r"(?:(?:^|[(\[\-]|[.!?]\s)\s*(?:ai|a\.i\.|assistant|bot|chatbot|model|gpt|chatgpt|llm|claude|system|reviewer|scorer)"
    r"\s*[:,]\s|"
    r"\b(?:dear|hey|hi|attention|note to|message to|instructions? (?:to|for)|memo to)\s+(?:the\s+)?(?:ai|a\.i\.|assistant|"
    r"bot|chatbot|model|llm|gpt|chatgpt|reviewer|qualification|scoring|system)\b|"
    r"\b(?:ai|llm|language model|chatbot|gpt|chatgpt)\b[^.\n]{0,30}\b(?:must|should|please|reading|must answer)\b|"
    r"\bsystem prompt\b|\bignore (?:all |any |the |your )?(?:previous|prior|above|earlier|other|preceding)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:instructions?|rules|prompts?|guidance|guidelines|directions|directives|commands?|context|orders)\b|"
    r"\bignore (?:all |any |the |your )?(?:previous|prior|above|preceding)\s*(?:[.,;:!]|and\b|$)|"
    r"\bdisregard (?:all|any|the|previous|prior|your)\b|\byou are now\b|\bas an ai\b|\bnew instructions?\b|"
    r"(?:^|\n)\s*(?:system|assistant|user|developer)\s*:|<\/?\s*(?:lead|system|data|instructions?|user|assistant|"
    r"lead_data|context)\s*>|\[/?inst\]|<<\s*/?sys\s*>>|<\|[a-z_]+\|>|<!--|-->|"
    r"\b(?:mark|set|flag|score|rate|classify|treat|route|label|tag)\s+(?:this|the|that)\s+(?:lead|prospect|contact|account)\b|"
    r"\b(?:answer|respond|reply)\s+(?:with\s+)?[\"']?yes[\"']?\s+(?:to|for)\s+(?:all|every|each|any)\b|"
    r"\b(?:qualify|approve)\s+(?:this|the)\s+lead\b|\bhighest (?:score|priority|tier)\b|"
    # an instruction about what to output: "answer yes to the budget question", "say 'qualified'", "return true"
    r"\b(?:answer|respond|reply|say|output|return|put|set|mark|record|fill in)\s+(?:with\s+|it as\s+|as\s+)?[\"'“]?"
    r"(?:yes|no|qualified|sql|true|confirmed)[\"'”]?\s+(?:to|for|on|in)\s+(?:the|this|that|every|each|all|any)\b|"
    # role markers and headings of a fake prompt: "[SYSTEM]", "### Instruction:", "Override:"
    r"\[\s*(?:system|assistant|admin|developer|instructions?)\s*\]|#{2,}\s*(?:system|instructions?|prompt)\b|"
    r"(?:^|\n)\s*(?:override|instruction|admin|developer note)\s*:|"
    # addressed to whatever reads or scores the lead
    r"\b(?:to|for) whoever (?:reads|scores|reviews|qualifies|processes)\b|"
    r"\b(?:automated|ai|scoring|qualification|lead[- ]scoring)\s+(?:system|engine|tool|agent|model|bot)s?\s*[:,]|"
    r"\b(?:the|your)\s+(?:scoring|qualification|ranking)\s+(?:model|system|engine|bot)\s+(?:should|must|will|needs to)\b|"
    r"\bpretend (?:that |the )|\bforget (?:all |your |the |previous |prior )+(?:instructions|rules|guidance)\b|"
    r"\b(?:for|to) (?:the |any |an? )?(?:bot|ai|llm|gpt|language model|assistant|scorer|scoring (?:model|system|tool))s?"
    r"\s+(?:reading|processing|reviewing|scoring|that reads|who reads)\b|"
    r"\b(?:for|to) (?:the |any |an? )?(?:ai|llm|gpt|language model|assistant|scorer|scoring (?:model|system|tool))\s*[:,]|"
    r"\bif (?:an?|any|the) (?:ai|automated|bot|model|llm|language model|scoring|qualification)\b[^.]{0,25}"
    r"\b(?:reads?|reading|process\w*|sees?|scores?)\b|"
    r"\b(?:reviewer|scoring|qualification|scorer|system|admin)\s+(?:note|override|instructions?|memo)\s*:|"
    r"\b(?:qualification|scoring|score|tier)\s+override\b|\boverride\s*:|\bskip (?:the )?qualification\b|"
    r"\bpre-?approved by\b[^.]{0,40}\bskip\b|"
    r"\b(?:set|change|move|put)\s+(?:the\s+|this\s+)?(?:lead'?s?\s+)?(?:tier|score|status|stage|rating)\s+(?:to|=|as)\s+"
    r"(?:sql|qualified|hot|yes|sales[- ]ready|\d+|a|the highest|max\w*)\b|"
    r"\bset\s+[\w-]+\s*=\s*(?:yes|no|true|qualified)\b|"
    r"\bthe (?:correct|right) answers? to\b|\bthe answers? to (?:every|each|all|any)\b[^.]{0,30}\bquestions?\b|"
    r"\byou (?:must|should|have to|need to) (?:answer|respond|reply|mark|rate|score|say|output)\b|"
    r"\b(?:respond|answer|reply) only with\b|\brate (?:this|the|us)\b[^.]{0,15}\b(?:lead|10|hot|high|a)\b|"
    r"\bmark (?:budget|authority|need|timeline|the budget|the need|every answer|all answers|it|us)\s+as\s+"
    r"(?:confirmed|yes|approved|qualified|true|met)\b|\b(?:hey|hi|dear|hello)\s+qualify\b|"
    # the same in the other languages leads are read in
    r"\b(?:note|nota|opmerking|uwaga|pozn[áa]mka|hinweis|notiz|remarque|mensaje|messaggio|bericht|wiadomo[śs][ćc]|zpr[áa]va)"
    r"\s+(?:pour|per|para|voor|dla|pro|an|f[üu]r|à|a|al|alla)\s+(?:l'|la |le |el |il |die |den |de |het |o |a )?"
    r"(?:ia|ai|ki|si|assistant\w*|asistente|assistente|asystent\w*|asistent\w*|bot|mod[eè]l\w*)\b|"
    r"(?:^|[(\[\-]|[.!?]\s)\s*(?:ki|ia)\s*[:,]\s|\b(?:als|en tant qu'|como|come|jako)\s*(?:ki|ia|ai|si)\b|"
    r"\b(?:liebe[rs]?|hallo|chère?|cher|querid[oa]|estimad[oa]|car[oa]|beste|drog[ai]|mil[ýá])\s+(?:ki|ia|ai|"
    r"assistant\w*|assistent\w*|asistente|assistente|bot|modell?o?)\b|"
    r"\b(?:an|pour|para|per|aan|dla|pro)\s+(?:die|den|le|la|el|il|o|a|de|het)?\s*(?:ki|ia|assistent\w*|asistente|"
    r"assistente|asystent\w*|asistent\w*)\s*[:,]|"
    r"\b(?:ignorier\w*|vergiss|ignor(?:ez|e|a|ar|ate|eer)|negeer|zignoruj|ignoruj\w*|oubliez|olvida|esque[çc]a|dimentica)\b"
    r"[^.\n]{0,40}\b(?:anweisung\w*|vorgaben|regeln|instructions?|instrucciones|instru[çc][õo]es|istruzioni|instructies|"
    r"instrukcj\w*|pokyn\w*|r[èe]gles|reglas|regras|regole|regels|zasady|pravidla)\b|"
    r"\b(?:als|comme|como|come|als|jako)\s+(?:qualifiziert|qualifi[ée]e?|calificad[oa]|qualificad[oa]|qualificat[oa]|"
    r"gekwalificeerd|kwalifikowan\w*|kvalifikovan\w*)\s+(?:markier\w*|einstuf\w*|marqu\w*|marc\w*|segn\w*|"
    r"markeren|oznacz\w*|ozna[čc]\w*)|"
    r"\b(?:markier\w*|marque[zr]?|marca[rd]?|segna|markeer|oznacz|ozna[čc]\w*)\s+(?:diesen|ce|este|esta|questo|deze|"
    r"ten|tento)\s+(?:lead|kontakt|contact|contacto|contatto|prospect)\b)",
    re.I,
)
URL_PAYLOAD = re.compile(
    r"https?://\S*[?#&]\S*(?:ignore|instruction|assistant|qualified|prompt|system|answer)\S*", re.I
)
SELF = rx(
    r"i",
    r"i'm",
    r"i am",
    r"my",
    r"me",
    r"we",
    r"we're",
    r"we are",
    r"our",
    r"us",
    r"ich",
    r"wir",
    r"je",
    r"nous",
    r"yo",
    r"soy",
    r"somos",
    r"eu",
    r"sou",
    r"io",
    r"sono",
    r"siamo",
    r"ik",
    r"wij",
    r"we",
    r"ja",
    r"jestem",
    r"jeste[śs]my",
    r"jsem",
    r"jsme",
)

# "not talking to any other vendors", "you're the only ones": no other vendor is being evaluated.
NOT_EVALUATING = re.compile(
    r"\b(only (?:talking to|looking at) you|you(?:'re| are) the only|not (?:looking at|talking to|"
    r"evaluating|considering) (?:anyone|anybody|any other|other|anything else)|no other vendors?)\b",
    re.I,
)
# "nothing in place today", "we don't use any tool": nothing is in use for it.
# The other languages: "kein Helpdesk-Tool", "ein Ticketsystem haben wir bisher nicht", "aucun logiciel", "pas d'outil",
# "ninguna herramienta", "nenhum sistema", "nessun sistema", "geen systeem", "żadnego systemu", "žádný systém".
_TOOL_WORD = (
    r"[\w-]*(?:tool|system|software|systeem|syst[èe]me|sistema|systemu|syst[ée]m|l[öo]sung|logiciel|outil|"
    r"herramienta|ferramenta|strumento|programma|oplossing|narz[ęe]dzi\w*|oprogramowani\w*|n[áa]stroj\w*)"
)
NOTHING_IN_USE = re.compile(
    r"\b(nothing (?:in place|today|yet|at the moment)|no (?:[\w-]+ ){0,2}(?:tool|system|software|vendor|solution)s? "
    r"(?:in place|today|yet|at all)|(?:we )?(?:have|use) no (?:[\w-]+ ){0,2}(?:tool|system|software|solution)s?\b|"
    r"don'?t (?:use|have) (?:anything|(?:any|a) (?:[\w-]+ ){0,2}(?:tool|system|software|vendor|solution)))\b|"
    # "Not using any RMS", "we don't run a CRM": a system named by its acronym
    r"(?:\bnot|n[’']t|\bnever)\s+(?:use|using|run|running|have|on)\s+(?:any|an?)\s+(?:[\w-]+\s+){0,2}"
    r"(?:(?:tool|system|software|vendor|solution|platform)s?\b|(?-i:[A-Z]{3,5})s?\b)|"
    rf"\b(?:kein(?:e|en)?|aucune?|ningu[nñ]a?|ning[úu]n|nenhuma?|nessun[ao]?|geen|[żz]adn\w*|[žz][áa]dn\w*)\s+"
    rf"(?:[\w-]+\s+)?(?:{_TOOL_WORD}|(?-i:[A-Z]{{3,5}})s?)\b|"
    rf"\bpas d(?:e |')(?:[\w-]+\s+)?{_TOOL_WORD}\b|"
    rf"\b{_TOOL_WORD}\s+haben wir (?:bisher |noch |derzeit |aktuell )?(?:noch )?nicht\b",
    re.I,
)

# "just kidding", "scratch that"… take back what was just said; "no kidding" and "kidding aside" do not.
RETRACT = re.compile(
    r"(?<!no )(?<!not )\b(?:just kidding|kidding(?! aside)|only joking|i'?m joking|joking|jk|"
    r"scratch that|strike that|i take (?:that|it) back|ignore (?:that|what i said)|forget i said that|"
    r"don'?t write that down|don'?t put that down|spaß beiseite|nur ein scherz|je plaisante|c'est une blague|"
    r"es broma|(?:é|e) brincadeira|sto scherzando|grapje)\b|\bhaha+\b|\blol\b|[(\[]laugh(?:s|ter|ing)?[)\]]",
    re.IGNORECASE,
)
LEADING_FILLER = re.compile(r"^\W*(?:(?:ha|haha|no|oh|ok|okay|well|actually|sorry)\W+)*", re.IGNORECASE)
