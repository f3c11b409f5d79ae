"""Rule-based sentence splitting for news text, with exact character offsets.

A claim's offsets point into the article body, so the splitter never rewrites text: every span is
a slice of the input. spaCy's parser splits well but costs more than the whole scoring step, and
news copy needs a few rules it does not have (dotted abbreviations before names, quotes running
over several sentences, list items and headings on their own lines).

Layout first, then punctuation:
- a blank line always ends a sentence; so does a list item's line, and a heading-like short line;
- a single newline inside a hard-wrapped paragraph is ordinary whitespace;
- inside a block, a sentence ends after . ! ? or an ellipsis (plus any closing quotes or brackets,
  which stay with the sentence they close) when the next word starts like a sentence.
"""

import re
from dataclasses import dataclass

_TERMINAL = ".!?…"
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
# A list marker at the start of a line: bullets, dashes, "1." / "2)". The marker is layout, not
# part of the sentence, so spans start after it.
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•·▪‣◦–—]|\d{1,3}[.)])[ \t]+(?=\S)")
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
_BOUNDARY = re.compile(rf"[{_TERMINAL}]+[{re.escape(_CLOSERS)}]*(?=\s+\S)")
_ATTRIBUTION_TAIL = re.compile(
    r"(?:[A-Z][\w'’.-]*\s+){1,4}(?:said|says|added|adds|wrote|writes|told\s+\w+|stated|noted|"
    r"explained|insisted|argued|warned|asked|replied|continued|concluded|tweeted|posted)\s*[.!]?"
)

# Titles before a name: never the end of a sentence ("Dr. Fauci", "Sen. Warren").
_TITLE_ABBREVIATIONS = frozenset(
    "mr mrs ms mx dr prof sr jr st gen col lt sgt capt cmdr adm maj brig cpl pvt rep reps sen "
    "gov pres rev hon messrs mme mlle atty supt det insp mt ft fr sgt".split()
)
# Abbreviations that end a sentence only when an ordinary sentence opener follows
# ("in the U.S. The ..." ends; "the U.S. Senate" does not).
_AMBIGUOUS_ABBREVIATIONS = frozenset(
    "inc ltd corp co bros etc vs approx dept univ assn est jan feb mar apr jun jul aug sep sept "
    "oct nov dec no nos vol vols fig figs pp p art ch sec para op ed".split()
)
# Abbreviations that never end a sentence before a number ("No. 5", "Jan. 6", "p. 34").
_BEFORE_NUMBER_ABBREVIATIONS = frozenset(
    "no nos vol vols fig figs pp p art ch sec para jan feb mar apr jun jul aug sep sept oct nov dec "
    "approx est op".split()
)
_SENTENCE_OPENERS = frozenset(
    "the a an it its he she they we i you this that these those there here but and or so yet "
    "in on at for from as after before when while if however meanwhile his her their our my your "
    "some many most no not one two three all both each every other another such then since "
    "despite although though because according officials critics analysts experts what why how "
    "who where which later earlier also still now today yesterday last next".split()
)
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_WHITESPACE = re.compile(r"\s")

# Characters either side of a candidate boundary searched for the neighbouring words.
_WORD_WINDOW = 80
# Longer stretches without sentence punctuation (tables, link lists) are cut at whitespace so a
# candidate claim stays readable and fits the encoder.
MAX_SENTENCE_CHARS = 1000


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """A sentence of `text`: `text[start:end] == span.text`; `paragraph` counts blocks from 0."""

    text: str
    start: int
    end: int
    paragraph: int


def split_sentences(text: str) -> list[SentenceSpan]:
    """Split `text` into ordered, non-overlapping sentences with offsets into `text`.

    Only whitespace and list markers at line starts fall outside the spans.
    """
    spans: list[SentenceSpan] = []
    for paragraph, (block_start, block_end) in enumerate(_blocks(text)):
        for start, end in _sentences_in_block(text, block_start, block_end):
            spans.append(SentenceSpan(text=text[start:end], start=start, end=end, paragraph=paragraph))
    return spans


def _blocks(text: str) -> list[tuple[int, int]]:
    """Character ranges of layout blocks: paragraphs, list items and heading-like lines."""
    blocks: list[tuple[int, int]] = []
    position = 0
    for blank in [*_BLANK_LINE.finditer(text), None]:
        paragraph_end = blank.start() if blank else len(text)
        blocks.extend(_blocks_in_paragraph(text, position, paragraph_end))
        if blank:
            position = blank.end()
    return blocks


def _blocks_in_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    lines: list[tuple[int, int]] = []
    position = start
    while position <= end:
        newline = text.find("\n", position, end)
        line_end = end if newline == -1 else newline
        lines.append((position, line_end))
        if newline == -1:
            break
        position = newline + 1

    blocks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    previous_line = ""
    for line_start, line_end in lines:
        line = text[line_start:line_end]
        if not line.strip():
            continue
        marker = _LIST_MARKER.match(line)
        content_start = line_start + (marker.end() if marker else 0)
        if current is None or marker or _line_ends_block(previous_line, line):
            if current is not None:
                blocks.append(current)
            current = (content_start, line_end)
        else:
            current = (current[0], line_end)
        previous_line = line
    if current is not None:
        blocks.append(current)
    return blocks


def _line_ends_block(previous_line: str, line: str) -> bool:
    """Whether a single newline between these two lines separates blocks.

    Hard-wrapped paragraphs have lines of similar length, so a line much shorter than the next
    one and not ending in sentence punctuation is taken as a heading or a dateline.
    """
    previous, following = previous_line.strip(), line.strip()
    if not previous or not following:
        return True
    if previous.rstrip(_CLOSERS).endswith(tuple(_TERMINAL + ":")):
        return True
    starts_like_sentence = following[0].isupper() or following[0].isdigit() or following[0] in _OPENERS
    return starts_like_sentence and len(previous) < 0.6 * len(following)


def _sentences_in_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    block = text[start:end]
    pieces: list[tuple[int, int]] = []
    piece_start = 0
    for boundary in _BOUNDARY.finditer(block):
        if _is_sentence_end(block, boundary):
            pieces.append((piece_start, boundary.end()))
            piece_start = boundary.end()
    pieces.append((piece_start, len(block)))

    sentences: list[tuple[int, int]] = []
    for piece_start, piece_end in pieces:
        stripped = _strip(block, piece_start, piece_end)
        if stripped is None:
            continue
        if sentences and _is_attribution_tail(block, stripped, sentences[-1]):
            sentences[-1] = (sentences[-1][0], stripped[1])
        else:
            sentences.append(stripped)
    result: list[tuple[int, int]] = []
    for sentence_start, sentence_end in sentences:
        result.extend(_cap_length(text, start + sentence_start, start + sentence_end))
    return result


def _is_sentence_end(block: str, boundary: re.Match[str]) -> bool:
    punctuation = boundary.group().rstrip(_CLOSERS)
    # Look at a short window only: slicing to the end of a long block for every candidate
    # boundary would make splitting quadratic in the paragraph's length.
    following_words = block[boundary.end() : boundary.end() + _WORD_WINDOW].lstrip().lstrip(_OPENERS).split(maxsplit=1)
    if not following_words:
        return False
    next_word = following_words[0]
    starts_like_sentence = next_word[0].isupper() or next_word[0].isdigit()
    if not starts_like_sentence:
        return False
    if punctuation != "." or boundary.group() != punctuation:
        # "!", "?", an ellipsis, or a full stop followed by a closing quote: the writer ended
        # the sentence; abbreviations never carry a closing quote.
        return True
    preceding = block[max(0, boundary.start() - _WORD_WINDOW) : boundary.start()].split()
    word = preceding[-1].lstrip(_OPENERS) if preceding else ""
    lowered = word.lower()
    if not word:
        return True
    if lowered in _TITLE_ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isupper() and word != "I":
        # An initial: "J. R. R. Tolkien", "George W. Bush".
        return False
    if next_word[0].isdigit() and lowered in _BEFORE_NUMBER_ABBREVIATIONS:
        return False
    if lowered in _AMBIGUOUS_ABBREVIATIONS or _DOTTED_ACRONYM.fullmatch(word):
        return next_word.strip(",;:").lower() in _SENTENCE_OPENERS
    return True


def _is_attribution_tail(block: str, candidate: tuple[int, int], previous: tuple[int, int]) -> bool:
    """A bare "Putin said." after a quote that closed with a full stop belongs to that quote."""
    previous_text = block[previous[0] : previous[1]]
    if not previous_text.endswith(("”", '"', "’")):
        return False
    return _ATTRIBUTION_TAIL.fullmatch(block[candidate[0] : candidate[1]]) is not None


def _strip(source: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and source[start].isspace():
        start += 1
    while end > start and source[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _cap_length(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        window = text[start + 1 : start + MAX_SENTENCE_CHARS]
        last_space = max((match.start() for match in _WHITESPACE.finditer(window)), default=-1)
        cut = start + 1 + last_space if last_space != -1 else start + MAX_SENTENCE_CHARS
        piece = _strip(text, start, cut)
        if piece:
            pieces.append(piece)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces
