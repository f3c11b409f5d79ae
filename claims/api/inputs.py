"""Input serializers: they parse and validate what a client sends and hand plain values to a service.
They never save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import ClaimStatus, ClaimType, SourceKind, Stance

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
    speaker = serializers.CharField(required=False, max_length=200)
    assigned_to_me = serializers.BooleanField(required=False, default=False)
    min_checkworthiness = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only claims changed after this instant. For incremental sync, combine with ordering=updated_at.",
    )
    q = serializers.CharField(required=False, max_length=MAX_SEARCH_CHARS, help_text="Words the claim text contains.")
    ordering = serializers.ChoiceField(choices=CLAIM_ORDERINGS, required=False, default="-id")


class ArticleIngestInput(serializers.Serializer):
    text = serializers.CharField(required=False, trim_whitespace=False, help_text="Plain-text body.")
    html = serializers.CharField(required=False, trim_whitespace=False, help_text="HTML page; the text is extracted.")
    url = serializers.URLField(required=False, max_length=2000)
    fetch = serializers.BooleanField(required=False, default=False, help_text="Fetch the body from `url`.")
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    outlet = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    author = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    published_at = DateOrDateTimeField(required=False, allow_null=True, default=None)
    language = serializers.CharField(required=False, default="en", max_length=16)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(attrs.get(field) for field in ("text", "html")) and not (attrs.get("url") and attrs.get("fetch")):
            raise serializers.ValidationError("Give the article as text, as HTML, or as a url with fetch=true.")
        return attrs


class ExpectedVersionInput(serializers.Serializer):
    expected_version = version_field()


class EvidenceAddInput(serializers.Serializer):
    source = id_field()
    stance = serializers.ChoiceField(choices=Stance.choices)
    passage = id_field(required=False, allow_null=True, default=None)
    excerpt = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class VerdictDraftInput(serializers.Serializer):
    rating = id_field()
    explanation = serializers.CharField(allow_blank=True)
    corrected_statement = serializers.CharField(required=False, allow_blank=True, default="")
    expected_version = version_field()


class VerdictSendBackInput(serializers.Serializer):
    comment = serializers.CharField()
    expected_version = version_field()


class VerdictReopenInput(serializers.Serializer):
    reason = serializers.CharField()
    expected_version = version_field()


class SuggestionAcceptInput(serializers.Serializer):
    stance = serializers.ChoiceField(choices=Stance.choices, required=False, default=Stance.CONTEXT)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ExportQuery(serializers.Serializer):
    since = serializers.DateTimeField(required=False, help_text="Only claims changed after this instant.")


class SourceInput(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    title = serializers.CharField(max_length=500)
    publisher = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    published_at = serializers.DateField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False, default=SourceKind.NEWS_REPORT)
    body = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


MAX_IMPORT_ROWS = 1000


class SourceImportInput(serializers.Serializer):
    sources = SourceInput(many=True, max_length=MAX_IMPORT_ROWS, allow_empty=False)


class SourceListQuery(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False)
    q = serializers.CharField(required=False, max_length=MAX_SEARCH_CHARS, help_text="Words the title contains.")
