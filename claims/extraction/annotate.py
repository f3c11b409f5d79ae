"""Claim types, speakers and quotations: cheap, rule-based annotations of candidate claims.

Rules rather than a model because reviewers read these labels as hints and must be able to predict
them: a sentence is a "statistic" because it has a number in it, a "quote" because it is inside
quotation marks, and its speaker is the name next to a verb of saying.
"""

import re
from dataclasses import dataclass

from claims.extraction.dates import DateMention

MAX_SPEAKER_CHARS = 200  # Claim.speaker
CLAIM_TYPES = ("statistic", "quote", "causal", "prediction", "law", "role", "event", "other")

SPEECH_VERBS = (
    "said|says|say|added|adds|wrote|writes|told|tells|stated|states|announced|announces|claimed|claims|"
    "argued|argues|insisted|insists|warned|warns|noted|notes|explained|explains|confirmed|confirms|"
    "declared|declares|tweeted|posted|asked|asks|replied|responded|emphasized|emphasised|stressed|"
    "acknowledged|admitted|urged|reiterated|indicated|predicted|promised|vowed|continued|concluded|"
    "cautioned|contended|maintained|alleged|alleges|called for|called on|suggested|suggests|"
    "estimated|reported|testified|denied|denies"
)
_NAME_TOKEN = r"(?:[A-Z][\w’'.-]*(?<!’s)(?<!'s)|de|van|von|bin|al|da|le)"
# Lower-case office words may sit inside a speaker phrase ("Kremlin spokesman Dmitry Peskov").
_INNER_TITLE = r"(?:spokes(?:man|woman|person)|minister|secretary|adviser|advisor|aide|official|envoy|ambassador|chief)"
_NAME = rf"[A-Z][\w’'.-]*(?<!’s)(?<!'s)(?:\s+(?:{_NAME_TOKEN}|{_INNER_TITLE})){{0,5}}"
_PRONOUN = r"(?:he|she|they|He|She|They)"
_AUXILIARY = r"(?:(?:has|had|have|also|later|then|once|again|further|repeatedly|previously)\s+)*"
_CLOSE_QUOTE = '[”"’]'

_QUOTE_THEN_SPEAKER = re.compile(
    rf"{_CLOSE_QUOTE}\s*,?\s*(?:(?P<pronoun>{_PRONOUN})|(?P<name>{_NAME}))\s+{_AUXILIARY}(?:{SPEECH_VERBS})\b"
)
_QUOTE_THEN_VERB_SPEAKER = re.compile(rf"{_CLOSE_QUOTE}\s*,?\s*(?:{SPEECH_VERBS})\s+(?P<name>{_NAME})")
_APPOSITIVE_SPEAKER = re.compile(rf",\s+(?P<name>{_NAME}),\s+{_AUXILIARY}(?:{SPEECH_VERBS})\b")
# "the" may open a speaker phrase mid-sentence ("…, the Labor Department said"); a lower-case word
# after it ("the survey") is not a name, and "the President" alone is cleaned to no speaker.
_SUBJECT_SPEAKER = re.compile(
    rf"(?:^|[,;:]\s+|\b(?:and|but|while|as|when)\s+)(?:the\s+)?(?:(?P<pronoun>{_PRONOUN})|(?P<name>{_NAME}))"
    rf"(?:,\s[^,“”\"]{{3,90}},)?\s+{_AUXILIARY}(?:{SPEECH_VERBS})\b"
)
_ACCORDING_TO = re.compile(rf"\b[Aa]ccording to\s+(?:the\s+)?(?P<name>{_NAME})")
# A sentence that is nothing but a quotation ("“Nobody thought we could do it.”").
_WHOLLY_QUOTED = re.compile(r"^[“\"][^“”\"]+[”\"]$")

# Words that come before a name in a speaker phrase but are not the name ("Former U.S. President").
_TITLE_WORDS = frozenset(
    "former ex then president vice prime minister chancellor secretary senator sen. rep. representative "
    "governor gov. mayor king queen prince princess pope general gen. chief justice deputy foreign defense "
    "defence spokesperson spokesman spokeswoman ambassador envoy leader premier dr. mr. mrs. ms. prof. "
    "sir dame lord lady commissioner director ceo chairman chairwoman chair speaker adviser advisor aide "
    "official spokesman spokeswoman spokesperson "
    "u.s. us uk u.k. eu un u.n. nato".split()
)
_LEADING_FUNCTION_WORDS = frozenset(
    "but and yet so then still however meanwhile later earlier also the a an in on at this that "
    "these those when while as after before if".split()
)
_NON_SPEAKERS = frozenset({"i", "we", "you", "it", "this", "that", "there", "who", "which"})
_NATIONALITY = re.compile(r"^[A-Z][a-z]+(?:ian|ean|an|ese|ish|ic|i)$")

_NUMBER = re.compile(
    r"\d|%|\b(?:percent|per cent|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|"
    r"twice|double[sd]?|tripled?|quadrupled?|one-third|two-thirds|quarter|majority|minority)\b",
    re.IGNORECASE,
)
_CAUSAL = re.compile(
    r"\b(?:because|due to|caused?|causing|led to|leads? to|lead to|result(?:s|ed)? in|as a result|"
    r"therefore|thanks to|responsible for|blamed?|owing to|consequently|so that|triggered|fuell?ed)\b",
    re.IGNORECASE,
)
_PREDICTION = re.compile(
    r"\b(?:will|won’t|won't|shall|going to|expected to|expects?|forecasts?|predicts?|predicted|projected|"
    r"likely to|unlikely to|set to|could prove|may well|is poised|are poised|next (?:week|month|year)|"
    r"in the coming)\b",
    re.IGNORECASE,
)
_LAW = re.compile(
    r"\b(?:laws?|legislation|bills?|acts?|statutes?|constitution(?:al)?|unconstitutional|illegal|"
    r"legal(?:ly)?|court|ruled|ruling|regulations?|treaty|sanctions?|ban(?:ned|s)?|decree|"
    r"ordinance|indicted|convicted|charged|lawsuit|supreme court)\b",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"\b(?:[Ff]ormer|[Ee]x-|[Tt]hen-)?\s*(?:President|Prime Minister|Chancellor|Minister|Secretary|"
    r"Senator|Governor|Mayor|King|Queen|Pope|Ambassador|Speaker|Premier|Vice President|chief of staff|"
    r"foreign minister|defen[cs]e minister|CEO|chairman|chairwoman|leader)\b(?:\s+of\s+[A-Z]\w+)?"
    r"(?:\s+[A-Z][\w’'.-]+){1,3}|\b(?:is|was|became|remains|served as|as)\s+(?:the\s+)?(?:former\s+)?"
    r"(?:president|prime minister|chancellor|minister|secretary|senator|governor|mayor|CEO|leader)\b"
)
_EVENT = re.compile(
    r"\b(?:met|meets|meeting|visited|visit|signed|attacked|attack|invasion|invaded|elected|election|"
    r"voted|vote|summit|talks|negotiations|announced|launched|killed|died|deaths?|arrested|resigned|"
    r"began|started|ended|held|took place|occurred|struck|fired|won|lost|passed|proposed|proposal|"
    r"put forward|ceasefire|war|conflict|protests?|strikes?)\b",
    re.IGNORECASE,
)
# Bounded so that a stray opening mark costs a short scan, not one to the end of the paragraph.
_QUOTED = re.compile(r"“([^”]{0,3000})”|\"([^\"]{0,3000})\"")


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a sentence attributes its content to: a name, or a pronoun to resolve from context."""

    speaker: str | None
    pronoun: str | None


def find_attribution(sentence: str) -> Attribution | None:
    """The speaker named next to a verb of saying, or the pronoun standing for one.

    "“…,” Trump wrote" -> Trump; "Russian President Vladimir Putin said" -> Vladimir Putin;
    "“…,” he wrote" -> pronoun "he" (the caller resolves it from the preceding sentences).
    """
    for pattern in (
        _QUOTE_THEN_SPEAKER,
        _QUOTE_THEN_VERB_SPEAKER,
        _APPOSITIVE_SPEAKER,
        _SUBJECT_SPEAKER,
        _ACCORDING_TO,
    ):
        for match in pattern.finditer(sentence):
            groups = match.groupdict()
            if groups.get("pronoun"):
                return Attribution(speaker=None, pronoun=groups["pronoun"].lower())
            name = clean_speaker_name(groups.get("name") or "")
            if name:
                return Attribution(speaker=name, pronoun=None)
    return None


def find_speaker(sentence: str, *, context_person: str | None = None) -> str | None:
    """The speaker of a quote or reported speech; a pronoun speaker becomes `context_person`."""
    attribution = find_attribution(sentence)
    if attribution is None:
        return None
    return attribution.speaker if attribution.speaker else context_person


def clean_speaker_name(phrase: str) -> str | None:
    """Strip leading function words, titles and nationalities.

    "Former U.S. President Donald Trump" -> "Donald Trump"; "The President" -> None.
    """
    tokens = phrase.split()
    while tokens and tokens[0].lower() in _LEADING_FUNCTION_WORDS:
        tokens.pop(0)
    last_title = -1
    for index, token in enumerate(tokens):
        if token.lower() in _TITLE_WORDS or (index < len(tokens) - 1 and _NATIONALITY.match(token)):
            last_title = index
    name_tokens = tokens[last_title + 1 :]
    if not name_tokens or name_tokens[0].lower() in _NON_SPEAKERS:
        return None
    name = " ".join(name_tokens).rstrip(".,")
    # A "name" longer than its column is a run of capitalised words or one giant token, not a person.
    if not name or len(name) > MAX_SPEAKER_CHARS:
        return None
    return name


def is_wholly_quoted(sentence: str) -> bool:
    return bool(_WHOLLY_QUOTED.match(sentence.strip()))


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of quotations in an article, from opening to closing mark.

    A quotation may run over several sentences; it never runs past a blank line unclosed.
    """
    spans: list[tuple[int, int]] = []
    for paragraph in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*", text):
        offset = paragraph.start()
        for match in _QUOTED.finditer(paragraph.group()):
            spans.append((offset + match.start(), offset + match.end()))
    return spans


def classify_claim(sentence: str, *, dates: list[DateMention], in_quotation: bool) -> list[str]:
    """Claim types of a sentence, in `CLAIM_TYPES` order; "other" when nothing else applies.

    Numbers that belong to a date ("May 15", "2022") do not make a statistic.
    """
    characters = list(sentence)
    for mention in dates:
        characters[mention.start : mention.end] = " " * (mention.end - mention.start)
    without_dates = "".join(characters)
    types: list[str] = []
    if _NUMBER.search(without_dates):
        types.append("statistic")
    if in_quotation or any(len((a or b).split()) >= 3 for a, b in _QUOTED.findall(sentence)):
        types.append("quote")
    if _CAUSAL.search(sentence):
        types.append("causal")
    if _PREDICTION.search(sentence):
        types.append("prediction")
    if _LAW.search(sentence):
        types.append("law")
    if _ROLE.search(sentence):
        types.append("role")
    if dates or _EVENT.search(sentence):
        types.append("event")
    return types or ["other"]
