"""Form fields for a claim's annotations in the admin: types as checkboxes and entities as one line
each ("PERSON: Donald Trump"), instead of raw JSON."""

from __future__ import annotations

from typing import Any

from django import forms

from .choices import ClaimType

ENTITY_LINE_HELP = "One entity per line, as LABEL: text (for example PERSON: Donald Trump or GPE: Turkey)."


class ClaimTypesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        kwargs.update(required=False, label="Types")
        super().__init__(choices=ClaimType.choices, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return list(value or []) if not isinstance(value, str) else [value]


class EntityLinesField(forms.CharField):
    """Edits a list of {"text", "label", "start", "end"} as lines. An entity kept as it was keeps its
    offsets; one added by hand has none (it was not found by the annotator in the article's text)."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 60})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        kwargs.update(required=False, label="Entities", help_text=ENTITY_LINE_HELP)
        super().__init__(**kwargs)
        self.original: list[dict[str, Any]] = []

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        self.original = [entity for entity in value or [] if isinstance(entity, dict)]
        return "\n".join(f"{entity.get('label', '')}: {entity.get('text', '')}" for entity in self.original)

    def clean(self, value: Any) -> list[dict[str, Any]]:
        text = super().clean(value)
        entities: list[dict[str, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            label, colon, mention = line.partition(":")
            label, mention = label.strip().upper(), mention.strip()
            if not colon or not label or not mention or " " in label:
                raise forms.ValidationError(
                    "Line %(number)s is not LABEL: text (%(line)s).", params={"number": number, "line": line[:80]}
                )
            if len(mention) > 200 or len(label) > 32:
                raise forms.ValidationError("Line %(number)s is too long.", params={"number": number})
            entities.append({"text": mention, "label": label})
        return entities
