"""scripts/backup.sh and scripts/restore.sh on real PostgreSQL: a seeded database and its files
are backed up, restored into a new database and new folders, and every table's rows and every
file come back the same."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection

from core import audit
from core.models import FileJob
from tests.factories.entities import EntityFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


def _admin():
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _run(script: str, arg: Path, *, database: str, media: Path, private: Path):
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / script), str(arg)],
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": _url(database),
            "MEDIA_ROOT": str(media),
            "PRIVATE_MEDIA_ROOT": str(private),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )


def _tables(dbname: str) -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of all rows in a stable order)} of the public schema."""
    with psycopg.connect(_url(dbname)) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "select tablename from pg_tables where schemaname = 'public' order by 1"
            )
        ]
        return {
            name: conn.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from \"{name}\" t"  # noqa: S608 - table names from the catalogue
            ).fetchone()
            for name in names
        }


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def fresh_database():
    name = f"restore_test_{os.getpid()}"
    with _admin() as admin:
        admin.execute(f'drop database if exists "{name}"')
        admin.execute(f'create database "{name}"')
    yield name
    with _admin() as admin:
        admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def seeded(transactional_db, settings, ambito, staff_user, monkeypatch):
    """Rows in many tables and files in both areas, committed (the dump sees them)."""
    # The private storage is bound to FileJob.file when the model loads: point it here.
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    private.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(
        FileJob._meta.get_field("file"), "storage", FileSystemStorage(location=private)
    )
    entity = EntityFactory(ambito=ambito, name="Il Ponte ODV")
    entity.logo.save("il-ponte.png", ContentFile(b"\x89PNG logo bytes"), save=True)
    audit.record(actor=staff_user, action="entity.verify", obj=entity, changes={"status": "ok"})
    job = FileJob.objects.create(kind="minutes", owner=entity, label="Verbale")
    job.file.save("verbale.pdf", ContentFile(b"%PDF-1.7 verbale riservato"), save=True)
    return Path(settings.MEDIA_ROOT), private


def test_backup_and_restore_into_a_fresh_database_and_folders(seeded, fresh_database, tmp_path):
    media, private = seeded
    source = connection.settings_dict["NAME"]
    backups = tmp_path / "backups"

    made = _run("backup.sh", backups, database=source, media=media, private=private)
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip())
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
        "private.tar.gz",
    ]
    assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    new_media, new_private = tmp_path / "new-media", tmp_path / "new-private"
    restored = _run(
        "restore.sh", folder, database=fresh_database, media=new_media, private=new_private
    )
    assert restored.returncode == 0, restored.stderr

    before, after = _tables(source), _tables(fresh_database)
    assert before == after
    assert before["entities_entity"][0] == 1 and before["core_auditevent"][0] >= 1
    assert before["core_filejob"][0] == 1 and before["django_migrations"][0] > 20
    assert _files(new_media) == _files(media) and any("il-ponte" in f for f in _files(media))
    assert _files(new_private) == _files(private) and len(_files(private)) == 1


def test_restore_refuses_a_database_that_is_not_empty_and_a_damaged_backup(seeded, tmp_path):
    media, private = seeded
    source = connection.settings_dict["NAME"]
    made = _run("backup.sh", tmp_path / "b", database=source, media=media, private=private)
    folder = Path(made.stdout.strip())

    into_source = _run(
        "restore.sh", folder, database=source, media=tmp_path / "m", private=tmp_path / "p"
    )
    assert into_source.returncode != 0 and "new, empty database" in into_source.stderr

    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    with open(damaged / "media.tar.gz", "ab") as f:
        f.write(b"x")
    refused = _run(
        "restore.sh", damaged, database=source, media=tmp_path / "m", private=tmp_path / "p"
    )
    assert refused.returncode != 0 and "damaged" in refused.stderr
    assert not (tmp_path / "m").exists() and not (tmp_path / "p").exists()  # nothing written
