"""A browser-less client signed in as someone, and the messages a page showed them."""

from __future__ import annotations

from django.test import Client


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
