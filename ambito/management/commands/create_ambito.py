"""Bootstrap an installation: an ambito, its comuni, its ente capofila and the invitation of its
first coordinator, without the admin. Run again with the same values, it changes nothing and
sends nothing twice; with other comuni or another name, it brings the ambito up to date."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from ambito import services
from ambito.forms import comuni_by_istat_code
from ambito.models import Ambito, Comune, StaffInvitation, StaffRole


class Command(BaseCommand):
    help = (
        "Crea (o aggiorna) un ambito territoriale sociale con i suoi comuni (codici ISTAT) e il "
        "comune capofila, e invita per e-mail il primo coordinatore dell'Ufficio di Piano. "
        "Esempio: manage.py create_ambito --code ats-6-fano --name 'ATS 6 Fano' "
        "--capofila 041013 --comuni 041013 041016 041028 --coordinatore coord@comune.fano.pu.it"
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="codice, anche indirizzo: ats-6-fano")
        parser.add_argument("--name", required=True, help="nome: 'ATS 6 Fano'")
        parser.add_argument("--capofila", required=True, help="codice ISTAT del comune capofila")
        parser.add_argument(
            "--comuni", nargs="+", required=True, help="codici ISTAT dei comuni dell'ambito"
        )
        parser.add_argument(
            "--coordinatore", required=True, help="e-mail del coordinatore dell'Ufficio di Piano"
        )

    def handle(self, *args, code, name, capofila, comuni, coordinatore, **options):
        if not Comune.objects.exists():
            raise CommandError("L'elenco dei comuni è vuoto: esegui prima manage.py import_comuni.")
        try:
            validate_email(coordinatore)
            members = comuni_by_istat_code(" ".join([capofila, *comuni]))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        lead = members[0]
        email = coordinatore.strip().lower()
        try:
            with transaction.atomic():
                ambito = Ambito.objects.filter(code=code).first()
                if ambito is None:
                    ambito, invitation = services.ambito_create(
                        name=name,
                        code=code,
                        lead_comune=lead,
                        comuni=members,
                        coordinator_email=email,
                        actor=None,
                    )
                    self.stdout.write(f"Ambito {ambito.name} creato ({len(members)} comuni).")
                else:
                    services.ambito_update(
                        ambito=ambito, name=name, lead_comune=lead, comuni=members, actor=None
                    )
                    self.stdout.write(f"Ambito {ambito.name} già presente: dati allineati.")
                    invitation = self._invite(ambito, email)
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        if invitation is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Invito inviato a {email} (valido fino al "
                    f"{invitation.expires_at:%d/%m/%Y}): "
                    f"{settings.SITE_URL}{invitation.get_absolute_url()}"
                )
            )

    def _invite(self, ambito: Ambito, email: str) -> StaffInvitation | None:
        if StaffRole.objects.filter(
            ambito=ambito, role=StaffRole.Role.COORDINATOR, user__email__iexact=email
        ).exists():
            self.stdout.write(f"{email} è già coordinatore dell'ambito: nessun invito.")
            return None
        open_one = next(
            (
                i
                for i in StaffInvitation.objects.filter(
                    ambito=ambito,
                    email__iexact=email,
                    accepted_at__isnull=True,
                    revoked_at__isnull=True,
                )
                if i.is_open
            ),
            None,
        )
        if open_one is not None:
            self.stdout.write(
                f"{email} ha già un invito in corso, valido fino al "
                f"{open_one.expires_at:%d/%m/%Y}: nessun nuovo invito."
            )
            return None
        return services.staff_invitation_create(
            ambito=ambito,
            email=email,
            role=StaffRole.Role.COORDINATOR,
            invited_by=None,
            job_title=str(StaffRole.Role.COORDINATOR.label),
        )


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(m for e in errors for m in e.messages)}"
            for field, errors in exc.error_dict.items()
        )
    return " ".join(exc.messages)
