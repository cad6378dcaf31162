"""Import and export of entities (django-import-export).

The import is built for large files (10,000 rows): instances are loaded once
(CachedInstanceLoader), written in bulk, and every lookup (comuni, activities, target groups,
existing RUNTS numbers) is read once before the rows are processed. Many-to-many values, which the
bulk mode does not write, are written in `after_import` with one bulk insert per relation, and
each created or updated entity gets its audit record (core.audit.record_many), in the entity's own
ambito, with what an update changed.

An import creates entities in the ambito chosen by the importer and updates only the entities of
the ambiti the importer manages (any, for a superuser): a row naming another ambito's entity by
its tax code is refused with a message that says nothing of that entity."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from ambito.permissions import managed_ambito_ids
from core import audit
from entities import selectors
from entities.models import Entity
from entities.resources.widgets import (
    ChoiceWidget,
    ComuneWidget,
    CountWidget,
    ImportableInstanceLoader,
    ItalianDateWidget,
    Lookups,
    M2MExportWidget,
    TaxCodeWidget,
    split_list,
)
from entities.validators import normalise_code


class EntityResource(resources.ModelResource):
    name = fields.Field("name", column_name="denominazione", widget=widgets.CharWidget())
    tax_code = fields.Field("tax_code", column_name="codice_fiscale", widget=TaxCodeWidget())
    vat_number = fields.Field("vat_number", column_name="partita_iva", widget=TaxCodeWidget())
    legal_form = fields.Field(
        "legal_form",
        column_name="forma_giuridica",
        widget=ChoiceWidget(
            Entity.LegalForm.choices, _("Forma giuridica sconosciuta: «%(value)s».")
        ),
    )
    runts_section = fields.Field(
        "runts_section",
        column_name="sezione_runts",
        widget=ChoiceWidget(
            Entity.RunstSection.choices,
            _("Sezione RUNTS sconosciuta: «%(value)s» (lettere da a a g)."),
            allow_blank=True,
        ),
    )
    runts_status = fields.Field(
        "runts_status",
        column_name="stato_runts",
        widget=ChoiceWidget(
            Entity.RunstStatus.choices, _("Stato di iscrizione al RUNTS sconosciuto: «%(value)s».")
        ),
    )
    runts_number = fields.Field(
        "runts_number", column_name="numero_repertorio", widget=widgets.CharWidget(allow_blank=True)
    )
    runts_date = fields.Field(
        "runts_date", column_name="data_iscrizione", widget=ItalianDateWidget()
    )
    address = fields.Field("address", column_name="indirizzo", widget=widgets.CharWidget())
    postal_code = fields.Field("postal_code", column_name="cap", widget=widgets.CharWidget())
    seat_comune = fields.Field("seat_comune", column_name="comune_sede")
    pec = fields.Field("pec", column_name="pec", widget=widgets.CharWidget())
    email = fields.Field("email", column_name="email", widget=widgets.CharWidget())
    phone = fields.Field("phone", column_name="telefono", widget=widgets.CharWidget())
    website = fields.Field("website", column_name="sito_web", widget=widgets.CharWidget())
    legal_representative = fields.Field(
        "legal_representative", column_name="legale_rappresentante", widget=widgets.CharWidget()
    )
    legal_representative_fiscal_code = fields.Field(
        "legal_representative_fiscal_code",
        column_name="codice_fiscale_legale_rappresentante",
        widget=TaxCodeWidget(),
    )
    activities = fields.Field(
        "activities", column_name="attivita", widget=M2MExportWidget("code"), readonly=True
    )
    target_groups = fields.Field(
        "target_groups", column_name="aree_utenza", widget=M2MExportWidget("code"), readonly=True
    )
    operating_comuni = fields.Field(
        "operating_comuni",
        column_name="comuni_operativita",
        widget=M2MExportWidget("istat_code"),
        readonly=True,
    )
    volunteers = fields.Field("volunteers", column_name="volontari", widget=CountWidget())
    employees = fields.Field("employees", column_name="dipendenti", widget=CountWidget())
    description = fields.Field(
        "description", column_name="descrizione", widget=widgets.CharWidget()
    )

    M2M_COLUMNS = {
        "activities": "attivita",
        "target_groups": "aree_utenza",
        "operating_comuni": "comuni_operativita",
    }
    REQUIRED_COLUMNS = (
        "denominazione",
        "codice_fiscale",
        "forma_giuridica",
        "comune_sede",
        "email",
        "attivita",
    )

    class Meta:
        model = Entity
        fields = (
            "name", "tax_code", "vat_number", "legal_form", "runts_section", "runts_status", "runts_number",
            "runts_date", "address", "postal_code", "seat_comune", "pec", "email", "phone", "website",
            "legal_representative", "legal_representative_fiscal_code", "activities",
            "target_groups", "operating_comuni", "volunteers", "employees", "description",
        )  # fmt: skip
        import_id_fields = ("tax_code",)
        instance_loader_class = ImportableInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        clean_model_instances = False  # validate_instance below checks without a query per row
        store_instance = True

    # the fields compared for an update's audit record (the many-to-many ones are added)
    SCALAR_FIELDS = tuple(sorted(set(Meta.fields) - set(M2M_COLUMNS)))

    PROGRESS_EVERY = 250  # rows between two calls of `progress`

    def __init__(self, *, ambito=None, actor=None, progress=None):
        super().__init__()
        self.ambito = ambito
        self.actor = actor
        self.progress = progress  # called with the number of rows read so far
        self.rows_done = 0
        self.lookups: Lookups | None = None
        self.refused_tax_codes: set[str] = set()
        self.fields["seat_comune"].widget = ComuneWidget(self)
        # The ambiti whose entities this import may update (None: any, for a superuser).
        if getattr(actor, "is_superuser", False):
            self.updatable_ambito_ids: set[int] | None = None
        elif actor is not None:
            self.updatable_ambito_ids = managed_ambito_ids(actor)
        else:
            self.updatable_ambito_ids = {ambito.pk} if ambito is not None else set()

    def updatable(self, queryset):
        if self.updatable_ambito_ids is None:
            return queryset
        return queryset.filter(ambito_id__in=self.updatable_ambito_ids)

    def may_update(self, ambito_id: int) -> bool:
        return self.updatable_ambito_ids is None or ambito_id in self.updatable_ambito_ids

    def get_bulk_update_fields(self):
        fields = [f for f in super().get_bulk_update_fields() if f not in self.M2M_COLUMNS]
        return [*fields, "updated_at"]  # bulk_update does not apply auto_now

    # --- import ----------------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        missing = [c for c in self.REQUIRED_COLUMNS if c not in (dataset.headers or [])]
        if missing:
            raise ValidationError(_("Mancano le colonne: %(cols)s.") % {"cols": ", ".join(missing)})
        self.lookups = Lookups()
        self.seen_tax_codes: dict[str, int] = {}
        self.seen_runts: dict[str, int] = {}
        self.pending_m2m: dict[str, dict[str, list]] = {}
        self.created_codes: set[str] = set()
        self.updated_codes: set[str] = set()
        self.before: dict[str, dict] = {}  # tax code -> fields of an updated entity before

    def before_import_row(self, row, **kwargs):
        if normalise_code(row.get("codice_fiscale")) in self.refused_tax_codes:
            raise ValidationError(
                {
                    "tax_code": _(
                        "Questo codice fiscale non può essere importato qui: togli la riga dal file."
                    )
                }
            )

    def import_instance(self, instance, row, **kwargs):
        if instance.pk:
            self.before[instance.tax_code] = audit.snapshot(instance, self.SCALAR_FIELDS)
            instance.updated_at = timezone.now()
        super().import_instance(instance, row, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            instance.ambito = self.ambito
            instance.status = Entity.Status.VERIFIED
            instance.status_changed_at = timezone.now()

    def _m2m_from_row(self, row) -> tuple[dict[str, list], dict[str, list[str]]]:
        values: dict[str, list] = {}
        errors: dict[str, list[str]] = {}
        lk = self.lookups
        letters = [v.lower() for v in split_list(row.get("attivita"))]
        unknown = [v for v in letters if v not in lk.activities]
        if unknown:
            errors["activities"] = [
                _("Lettera di attività sconosciuta: %(v)s (art. 5: lettere da a a z).")
                % {"v": ", ".join(unknown)}
            ]
        elif not letters:
            errors["activities"] = [
                _("Indica almeno un'attività (lettere dell'art. 5, separate da virgola).")
            ]
        values["activities"] = [lk.activities[v] for v in letters if v in lk.activities]
        groups = [v.lower() for v in split_list(row.get("aree_utenza"))]
        unknown = [v for v in groups if v not in lk.target_groups]
        if unknown:
            errors["target_groups"] = [
                _("Area di utenza sconosciuta: %(v)s.") % {"v": ", ".join(unknown)}
            ]
        values["target_groups"] = list(
            {
                lk.target_groups[v].pk: lk.target_groups[v] for v in groups if v in lk.target_groups
            }.values()
        )
        comuni = []
        for v in split_list(row.get("comuni_operativita")):
            try:
                comuni.append(lk.comune(v))
            except ValueError as exc:
                errors.setdefault("operating_comuni", []).append(str(exc))
        values["operating_comuni"] = list({c.pk: c for c in comuni}.values())
        return values, errors

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors: dict[str, list[str]] = {
            k: (v.messages if hasattr(v, "messages") else list(v))
            for k, v in (import_validation_errors or {}).items()
        }
        row_number = self._current_row_number
        m2m, m2m_errors = self._m2m_from_row(self._current_row)
        errors.update(m2m_errors)
        try:
            instance.clean_fields(
                exclude=[*errors, "ambito", "seat_comune", "logo", "status_reason"]
            )
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
        try:
            instance.clean()
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(m for m in v if m not in errors.get(k, []))
        code = instance.tax_code
        if code and code in self.seen_tax_codes:
            errors.setdefault("tax_code", []).append(
                _("Codice fiscale duplicato: compare già alla riga %(n)d del file.")
                % {"n": self.seen_tax_codes[code]}
            )
        number = instance.runts_number
        if number:
            owner, owner_ambito_id = self.lookups.runts_numbers.get(number, (None, None))
            if number in self.seen_runts:
                errors.setdefault("runts_number", []).append(
                    _("Numero di repertorio duplicato: compare già alla riga %(n)d del file.")
                    % {"n": self.seen_runts[number]}
                )
            elif owner and owner != code and self.may_update(owner_ambito_id):
                errors.setdefault("runts_number", []).append(
                    _(
                        "Il numero di repertorio %(n)s appartiene già all'ente con codice fiscale %(cf)s."
                    )
                    % {"n": number, "cf": owner}
                )
            elif owner and owner != code:  # an entity the importer may not see: not named
                errors.setdefault("runts_number", []).append(
                    _("Il numero di repertorio %(n)s appartiene già a un altro ente.")
                    % {"n": number}
                )
        if code:
            self.seen_tax_codes.setdefault(code, row_number)
        if number:
            self.seen_runts.setdefault(number, row_number)
        if errors:
            raise ValidationError(errors)
        self.pending_m2m[code] = m2m
        (self.updated_codes if instance.pk else self.created_codes).add(code)

    def import_row(self, row, instance_loader, **kwargs):
        self._current_row = row
        self._current_row_number = kwargs.get("row_number", 0)
        self.rows_done += 1
        if self.progress is not None and self.rows_done % self.PROGRESS_EVERY == 0:
            self.progress(self.rows_done)
        return super().import_row(row, instance_loader, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        """Write the many-to-many values and the audit records (also in a dry run, inside its
        transaction, so that the dry run exercises the same code as the real import)."""
        if result.has_errors() or result.has_validation_errors() or not self.pending_m2m:
            return
        entities = {
            e.tax_code: e
            for e in Entity.objects.filter(tax_code__in=list(self.pending_m2m)).select_related(
                "seat_comune"
            )
        }
        ids = [e.pk for e in entities.values()]
        updated_ids = [entities[c].pk for c in self.updated_codes if c in entities]
        m2m_before: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for field in self.M2M_COLUMNS:
            through = Entity._meta.get_field(field).remote_field.through
            target = Entity._meta.get_field(field).m2m_reverse_field_name()
            for link in through.objects.filter(entity_id__in=updated_ids).select_related(target):
                m2m_before[link.entity_id][field].append(str(getattr(link, target)))
            through.objects.filter(entity_id__in=ids).delete()
            through.objects.bulk_create(
                [
                    through(**{"entity_id": entities[code].pk, f"{target}_id": obj.pk})
                    for code, values in self.pending_m2m.items()
                    for obj in values[field]
                ],
                batch_size=2000,
            )
        selectors.forget_directory_choices()  # bulk writes send no signal

        def changes(entity: Entity) -> dict:
            before = {
                **self.before.get(entity.tax_code, {}),
                **{f: sorted(v) for f, v in m2m_before[entity.pk].items()},
            }
            after = audit.snapshot(entity, self.SCALAR_FIELDS)
            for field in self.M2M_COLUMNS:
                before.setdefault(field, [])
                after[field] = sorted(str(o) for o in self.pending_m2m[entity.tax_code][field])
            return audit.diff(before, after)

        # Each audit row belongs to the entity's own ambito (its Ufficio di Piano reads it).
        for action, codes, changes_for in (
            ("entities.entity.imported", self.created_codes, None),
            ("entities.entity.import_updated", self.updated_codes, changes),
        ):
            by_ambito: dict[int, list[Entity]] = defaultdict(list)
            for code in codes:
                if code in entities:
                    by_ambito[entities[code].ambito_id].append(entities[code])
            for ambito_id, objects in by_ambito.items():
                audit.record_many(
                    actor=self.actor,
                    action=action,
                    objects=objects,
                    changes_for=changes_for,
                    ambito_id=ambito_id,
                )


def row_errors(invalid_row) -> list[str]:
    """Readable messages of an invalid row, each prefixed by its column."""
    labels = {f.attribute: f.column_name for f in EntityResource().fields.values()}
    out: list[str] = []
    for key, messages in invalid_row.error_dict.items():
        prefix = "" if key == NON_FIELD_ERRORS else f"{labels.get(key, key)}: "
        out.extend(f"{prefix}{m}" for m in messages)
    return out
