"""Forms of the reviewer UI: they parse and validate what a page sends; services do the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from .choices import ClaimType, SourceKind, Stance
from .extraction.html import looks_like_html
from .models import Claim, Rating
from .services.articles import MAX_METADATA_CHARS, MAX_URL_CHARS

ASSIGNEE_ME = "me"
ASSIGNEE_NOBODY = "nobody"
ASSIGNEE_ANYONE = "anyone"


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class SavedFilterForm(forms.Form):
    name = forms.CharField(max_length=100)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    """Cite a source of the library (picked from the search as you type): the passage is optional."""

    pick = forms.RegexField(
        label="Source",
        regex=r"^[1-9][0-9]{0,18}:(?:[1-9][0-9]{0,18})?$",
        error_messages={
            "required": "Search the library and pick a source first.",
            "invalid": "Pick a source from the search results.",
        },
    )
    excerpt = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    stance = forms.ChoiceField(choices=Stance.choices, initial=Stance.CONTEXT)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=10_000)

    def picked(self) -> tuple[int, int | None]:
        """(source id, passage id or None) of the result picked; call after is_valid()."""
        source, _, passage = self.cleaned_data["pick"].partition(":")
        return int(source), int(passage) if passage else None


class NewSourceEvidenceForm(forms.Form):
    """Cite a source that is not in the library yet: by URL (fetched in the background) or with its text pasted."""

    prefix = "new"

    url = forms.URLField(label="URL", max_length=2000, assume_scheme="https")
    title = forms.CharField(required=False, max_length=500, help_text="Taken from the page when left empty.")
    body = forms.CharField(
        required=False,
        label="Text",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2_000_000,
        help_text="Paste the text, or leave empty to fetch the page.",
    )
    kind = forms.ChoiceField(choices=SourceKind.choices, initial=SourceKind.NEWS_REPORT)
    stance = forms.ChoiceField(choices=Stance.choices, initial=Stance.CONTEXT)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=10_000)


class SuggestionDecisionForm(forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices, initial=Stance.CONTEXT, required=False)
    note = forms.CharField(required=False, max_length=10_000)


class VerdictForm(forms.Form):
    rating = forms.ModelChoiceField(queryset=Rating.objects.none(), empty_label="Choose a rating…")
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)
    corrected_statement = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000, label="Corrected statement"
    )
    # The verdict version the reviewer saw (0: there was none). A write based on an older one is refused.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, ratings: QuerySet[Rating], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].queryset = ratings  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class SendBackForm(VersionForm):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000)


class ReopenForm(VersionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5_000)


class SourceSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=500, label="Search the library")


class SourceForm(forms.Form):
    url = forms.URLField(label="URL", max_length=2000, assume_scheme="https")
    title = forms.CharField(max_length=500)
    publisher = forms.CharField(max_length=200, required=False)
    published_at = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(choices=SourceKind.choices, initial=SourceKind.NEWS_REPORT)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=2_000_000)


class SourceImportForm(forms.Form):
    file = forms.FileField(
        help_text="JSON Lines: one source per line (url, title, publisher, published_at, kind, body)."
    )


class ArticleIngestForm(forms.Form):
    body = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 100}),
        help_text="The article as plain text or as an HTML page (its main text is kept). "
        "Leave empty to fetch it from the URL.",
    )
    url = forms.URLField(required=False, max_length=MAX_URL_CHARS, assume_scheme="https", label="URL")
    fetch = forms.BooleanField(required=False, label="Fetch the article from the URL")
    title = forms.CharField(required=False, max_length=MAX_METADATA_CHARS["title"])
    outlet = forms.CharField(required=False, max_length=MAX_METADATA_CHARS["outlet"])
    author = forms.CharField(required=False, max_length=MAX_METADATA_CHARS["author"])
    # ISO only: "12/05/2025" is 12 May to most desks and 5 December to Django's default formats.
    published_at = forms.DateField(
        required=False,
        label="Published on",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        has_body = bool(cleaned.get("body", "").strip())
        if has_body and cleaned.get("fetch"):
            raise forms.ValidationError("Paste the article or fetch it from its URL, not both.")
        if not has_body and not (cleaned.get("url") and cleaned.get("fetch")):
            raise forms.ValidationError("Paste the article, or give its URL and tick “Fetch the article from the URL”.")
        return cleaned

    def ingest_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {name: data[name] for name in ("title", "outlet", "author", "published_at")}
        arguments["url"] = data["url"] or None
        if data["fetch"]:
            arguments["fetch"] = True
        elif looks_like_html(data["body"]):
            arguments["html"] = data["body"]
        else:
            arguments["text"] = data["body"]
        return arguments


class ClaimAnnotationsForm(forms.Form):
    """The workspace's correction of a claim's speaker and types (entities and dates: admin and API)."""

    speaker = forms.CharField(required=False, max_length=200)
    claim_types = forms.MultipleChoiceField(
        required=False, choices=ClaimType.choices, widget=forms.CheckboxSelectMultiple, label="Claim types"
    )
    # The claim version the reviewer saw. A correction based on an older one is refused.
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    @classmethod
    def for_claim(cls, claim: Claim) -> ClaimAnnotationsForm:
        return cls(
            initial={"speaker": claim.speaker, "claim_types": list(claim.claim_types), "version": claim.version},
            prefix="annotations",
        )


class ExportForm(forms.Form):
    """What the Export page downloads: published verdicts, in a format, for a publication date range and a rating."""

    export_format = forms.ChoiceField(
        label="Format",
        choices=[("claimreview", "ClaimReview (JSON-LD)"), ("csv", "CSV"), ("jsonl", "JSON Lines")],
        initial="claimreview",
    )
    published_from = forms.DateField(
        required=False, label="Published from", widget=forms.DateInput(attrs={"type": "date"})
    )
    published_to = forms.DateField(required=False, label="Published to", widget=forms.DateInput(attrs={"type": "date"}))
    rating = forms.ModelChoiceField(queryset=Rating.objects.none(), required=False, empty_label="Any rating")

    def __init__(self, *args: Any, ratings: QuerySet[Rating], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].queryset = ratings  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and end < start:
            self.add_error("published_to", "The end of the range comes before its start.")
        return data

    def range_bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """[start of the first day, start of the day after the last) in the desk's time zone."""
        start, end = self.cleaned_data.get("published_from"), self.cleaned_data.get("published_to")
        return (
            _start_of(start) if start else None,
            _start_of(end + dt.timedelta(days=1)) if end else None,
        )
