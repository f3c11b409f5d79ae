"""Input serializers: they parse and validate what a client sends and hand plain values to a service.
They never save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from ..choices import ClaimStatus, ClaimType, SourceKind, Stance
from ..extraction.text import SURROGATE_RE
from ..services.bulk import MAX_BULK_CLAIMS, BulkAction

# Ids travel as 64-bit integers in every supported database; larger numbers cannot name a row.
MAX_ID = 2**63 - 1
MAX_SEARCH_CHARS = 200

CLAIM_ORDERINGS = (
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "priority",
    "-priority",
    "checkworthiness",
    "-checkworthiness",
)


class _FastSurrogateValidator(ProhibitSurrogateCharactersValidator):
    """DRF's check, with the scan done in C: DRF walks the text character by character in Python, a
    third of a second for an article at the ingest limit, inside the request. Strict UTF-8 encoding
    fails on a lone surrogate and on nothing else, and runs several times faster than a regex
    search over a 1 MiB article."""

    def __call__(self, value: Any) -> None:
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            found = SURROGATE_RE.search(text, error.start)
            code_point = ord(found.group()) if found is not None else ord(text[error.start])
            raise serializers.ValidationError(self.message.format(code_point=code_point), code=self.code) from None


class StringField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField would turn 12345 or 1.5e300 into
    text, and a client sending a number where text belongs has a bug it should hear about."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            _FastSurrogateValidator() if isinstance(validator, ProhibitSurrogateCharactersValidator) else validator
            for validator in self.validators
        ]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="The version your edit is based on; a newer stored version refuses the write with 409.",
    )


@extend_schema_field(OpenApiTypes.STR)
class DateOrDateTimeField(serializers.Field):
    """A date (``2025-05-12``) or an ISO 8601 date-time. A bare date stays a date, so the service
    can place it at midday UTC and no time zone moves it to the day before."""

    default_error_messages = {"invalid": "Give a date (YYYY-MM-DD) or an ISO 8601 date-time."}

    def to_internal_value(self, data: Any) -> dt.date | dt.datetime:
        invalid = serializers.ValidationError(self.error_messages["invalid"], code="invalid")
        if not isinstance(data, str):
            raise invalid
        try:
            if len(data) == 10:
                parsed = parse_date(data)
                if parsed is not None:
                    return parsed
            return serializers.DateTimeField().to_internal_value(data)
        except (ValueError, serializers.ValidationError):
            raise invalid from None

    def to_representation(self, value: Any) -> str:
        return value.isoformat()


class ClaimListQuery(serializers.Serializer):
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=ClaimStatus.choices), required=False, help_text="Repeat for several."
    )
    article = id_field(required=False)
    claim_type = serializers.ChoiceField(choices=ClaimType.choices, required=False)
    speaker = StringField(required=False, max_length=200)
    assigned_to_me = serializers.BooleanField(required=False, default=False)
    min_checkworthiness = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only claims changed after this instant. For incremental sync, combine with ordering=updated_at.",
    )
    q = StringField(required=False, max_length=MAX_SEARCH_CHARS, help_text="Words the claim text contains.")
    ordering = serializers.ChoiceField(choices=CLAIM_ORDERINGS, required=False, default="-id")


class ArticleIngestInput(serializers.Serializer):
    text = StringField(required=False, trim_whitespace=False, help_text="Plain-text body.")
    html = StringField(required=False, trim_whitespace=False, help_text="HTML page; the text is extracted.")
    url = serializers.URLField(required=False, max_length=2000)
    fetch = serializers.BooleanField(required=False, default=False, help_text="Fetch the body from `url`.")
    title = StringField(required=False, allow_blank=True, default="", max_length=500)
    outlet = StringField(required=False, allow_blank=True, default="", max_length=200)
    author = StringField(required=False, allow_blank=True, default="", max_length=300)
    published_at = DateOrDateTimeField(required=False, allow_null=True, default=None)
    language = StringField(
        required=False, default="", allow_blank=True, max_length=16, help_text="Detected when not given."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(attrs.get(field) for field in ("text", "html")) and not (attrs.get("url") and attrs.get("fetch")):
            raise serializers.ValidationError("Give the article as text, as HTML, or as a url with fetch=true.")
        return attrs


class ExpectedVersionInput(serializers.Serializer):
    expected_version = version_field()


class ClaimAnnotationsInput(serializers.Serializer):
    """A correction of a claim's annotations: send only the fields that change."""

    speaker = StringField(required=False, allow_blank=True, max_length=200)
    claim_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ClaimType.choices), required=False, max_length=len(ClaimType.values)
    )
    entities = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=200,
        help_text='Spans of the article: {"text", "label", "start", "end"}.',
    )
    dates = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=200,
        help_text='Spans of the article: {"text", "start", "end", "value"}; value is an ISO date or null.',
    )
    expected_version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The claim version the correction is based on; if the claim changed since, the answer is 409.",
    )

    # Validated whole even though the verb is PATCH (the fields left out are kept, but the version
    # is always needed); a serializer that is never partial also makes the schema say so.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass


class EvidenceAddInput(serializers.Serializer):
    source = id_field()
    stance = serializers.ChoiceField(choices=Stance.choices)
    passage = id_field(required=False, allow_null=True, default=None)
    excerpt = StringField(required=False, allow_blank=True, default="")
    note = StringField(required=False, allow_blank=True, default="")


class VerdictDraftInput(serializers.Serializer):
    rating = id_field()
    explanation = StringField(allow_blank=True)
    corrected_statement = StringField(required=False, allow_blank=True, default="")
    expected_version = version_field()


class VerdictSendBackInput(serializers.Serializer):
    comment = StringField()
    expected_version = version_field()


class VerdictReopenInput(serializers.Serializer):
    reason = StringField()
    expected_version = version_field()


class SuggestionAcceptInput(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Stance.choices, required=False, default=Stance.CONTEXT)
    note = StringField(required=False, allow_blank=True, default="")


class ExportQuery(serializers.Serializer):
    since = serializers.DateTimeField(required=False, help_text="Only claims changed after this instant.")


class SourceInput(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    title = StringField(max_length=500)
    publisher = StringField(required=False, allow_blank=True, default="", max_length=200)
    published_at = serializers.DateField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False, default=SourceKind.NEWS_REPORT)
    body = StringField(required=False, allow_blank=True, default="", trim_whitespace=False)


MAX_IMPORT_ROWS = 1000


class SourceImportInput(serializers.Serializer):
    sources = SourceInput(many=True, max_length=MAX_IMPORT_ROWS, allow_empty=False)


class SourceListQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False)
    q = StringField(required=False, max_length=MAX_SEARCH_CHARS, help_text="Words the title contains.")


MAX_FACTCHECK_CONTENT_CHARS = 5_000_000


class FactCheckImportInput(serializers.Serializer):
    """Either ``records`` (JSON objects: flat records, ClaimReview JSON-LD or Fact Check Tools API
    claims) or ``content`` (the text of a file: JSON Lines, a JSON document, or a fact-check page's HTML)."""

    records = serializers.ListField(
        child=serializers.DictField(), required=False, max_length=MAX_IMPORT_ROWS, allow_empty=False
    )
    content = StringField(required=False, max_length=MAX_FACTCHECK_CONTENT_CHARS, trim_whitespace=False)
    format = serializers.ChoiceField(choices=["auto", "jsonl", "json", "html"], default="auto")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("records" in attrs) == ("content" in attrs):
            raise serializers.ValidationError("Send either records or content.")
        return attrs


class FactCheckListQuery(serializers.Serializer):
    publisher = StringField(required=False, max_length=200)
    language = StringField(required=False, max_length=16)


class ClaimBulkInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=BulkAction.choices)
    ids = serializers.ListField(child=id_field(), min_length=1, max_length=MAX_BULK_CLAIMS)
    confirm_count = serializers.IntegerField(min_value=0, help_text="How many claims the person confirmed.")
    assignee = StringField(required=False, allow_blank=True, max_length=150, help_text="Username, for assign.")


class ClaimMergeInput(serializers.Serializer):
    into = id_field(help_text="The claim this one becomes part of.")


class AppearanceSplitInput(serializers.Serializer):
    appearance = id_field(help_text="The appearance to split off into a claim of its own.")
