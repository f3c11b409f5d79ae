"""Each person's inbox: claims sent back to them (the editor's comment first), claims assigned to
them, and their verdicts approved or published lately."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .. import selectors
from .base import page


@page
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/inbox.html", {"inbox": selectors.inbox_for_user(user=request.user), "nav": "inbox"})
