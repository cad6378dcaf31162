"""ProposalAttachment on core.models.AttachmentBase: `created_at` becomes `uploaded_at` (the rows
keep their dates), uploaded_by may be blank in forms, files go through attachment_upload_to (same
folder), ordering by uploaded_at."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.models
import core.storage
import core.uploads


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0007_search_document"),
        ("core", "0007_audit_action_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("proposalattachment", "created_at", "uploaded_at"),
        migrations.AlterField(
            model_name="proposalattachment",
            name="uploaded_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterModelOptions(
            name="proposalattachment",
            options={
                "ordering": ["uploaded_at", "pk"],
                "verbose_name": "allegato della proposta",
                "verbose_name_plural": "allegati della proposta",
            },
        ),
        migrations.AlterField(
            model_name="proposalattachment",
            name="file",
            field=models.FileField(
                max_length=255,
                storage=core.storage.private_storage,
                upload_to=core.models.attachment_upload_to,
                validators=[
                    core.uploads.FileKindValidator(
                        frozenset(["docx", "jpeg", "odt", "p7m", "pdf", "png", "webp"]), 10485760
                    )
                ],
                verbose_name="file",
            ),
        ),
        migrations.AlterField(
            model_name="proposalattachment",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
