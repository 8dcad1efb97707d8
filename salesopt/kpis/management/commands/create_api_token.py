"""`manage.py create_api_token USERNAME`: issue a KPI API token and print it (once)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from salesopt.kpis.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it. Only its hash is stored: copy it now. "
        "Use it as `Authorization: Bearer <token>`; it reads with that user's access."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: options["username"]})
        except user_model.DoesNotExist:
            raise CommandError(f"no user named {options['username']!r}") from None
        if not user.is_active:
            raise CommandError(f"{options['username']!r} is not active")
        self.stdout.write(api_token_create(user=user))
