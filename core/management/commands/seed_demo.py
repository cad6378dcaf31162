"""Load the demo data: every app that has a demo.py contributes, in layer order. Idempotent."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Carica i dati dimostrativi (ATS 6 Fano). Non usare in produzione."

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("seed_demo non si esegue con le impostazioni di produzione.")
        ctx: dict = {}
        with transaction.atomic():
            for config in apps.get_app_configs():
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(ctx)
                self.stdout.write(f"  {config.label}: ok")
        self.stdout.write(self.style.SUCCESS("Dati dimostrativi caricati."))
