"""Issue an API token for a user and print its secret (shown this once; only a hash is kept)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...choices import TokenScope
from ...errors import WorkbenchError
from ...services.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token acting as a user. The secret is printed once, on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="The user the token acts as (its roles apply).")
        parser.add_argument("--name", required=True, help="What uses the token, e.g. 'newsroom CMS'.")
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            issued = token_create(user=user, name=options["name"], scope=options["scope"])
        except WorkbenchError as error:
            raise CommandError(error.message) from error
        self.stderr.write(
            f"Token {issued.token.name!r} ({issued.token.scope}) for {user.get_username()}; "
            "store the secret now, it cannot be shown again:"
        )
        self.stdout.write(issued.secret)
