"""OpenAPI description details that hold for every operation: the token scheme and the error body."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What went wrong, for a person to read.")
    extra = serializers.DictField(help_text="Details for a program: field errors, current version, retry delay.")


_ERROR_DESCRIPTIONS = {
    "400": "Invalid input.",
    "401": "No credentials, or an unknown or revoked token.",
    "403": "Your role or your token's scope does not allow this.",
    "404": "Not found, or not visible to you.",
    "409": "Conflict: a stale version, a lost lease, a state that does not allow this, or an Idempotency-Key "
    "whose first request is still running (retry after Retry-After seconds).",
    "413": "The request body is too large.",
    "429": "Too many requests; see the Retry-After header.",
}


class WorkbenchAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "429"]
        if self.method not in SAFE_METHODS:
            codes += ["409", "413"]
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "claims.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <secret>` (or `Bearer <secret>`); create one with `manage.py create_api_token`.",
        }
