#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and EMPTY file folders.
# README › Deploying › Backups and restore.
#
#   scripts/restore.sh BACKUP_FOLDER
#
# Reads DATABASE_URL, MEDIA_ROOT and PRIVATE_MEDIA_ROOT from the environment, like the portal.
# Checks the backup's SHA256SUMS first; refuses a database that has tables or a folder that has
# files (it never overwrites: restore into new ones, then point the portal at them). The
# database is restored in one transaction: all or nothing. With docker compose, after creating
# fresh volumes (docker compose down -v, then up -d postgres redis):
#
#   docker compose run --rm --no-deps -v "$PWD/backups:/backups" web \
#       scripts/restore.sh /backups/portal-YYYYmmdd-HHMMSS
set -euo pipefail

die() { echo "restore: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: scripts/restore.sh BACKUP_FOLDER"
src=$1
: "${DATABASE_URL:?restore: DATABASE_URL is not set}"
: "${MEDIA_ROOT:?restore: MEDIA_ROOT is not set}"
: "${PRIVATE_MEDIA_ROOT:?restore: PRIVATE_MEDIA_ROOT is not set}"
[[ $DATABASE_URL == postgres://* || $DATABASE_URL == postgresql://* ]] \
    || die "DATABASE_URL must be a PostgreSQL address (postgres://...)"
for tool in pg_restore psql; do
    command -v "$tool" >/dev/null || die "$tool not found (Debian: apt-get install postgresql-client)"
done

[[ -f $src/SHA256SUMS ]] || die "$src/SHA256SUMS missing: not a finished backup"
(cd "$src" && sha256sum --check --quiet --strict SHA256SUMS) || die "checksums do not match: the backup is damaged"

tables=$(psql --dbname="$DATABASE_URL" -Atc \
    "select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')")
[[ $tables == 0 ]] || die "the database already has $tables tables: restore into a new, empty database"
for folder in "$MEDIA_ROOT" "$PRIVATE_MEDIA_ROOT"; do
    mkdir -p "$folder"
    [[ -z $(ls -A "$folder") ]] || die "$folder is not empty: restore into empty folders"
done

pg_restore --dbname="$DATABASE_URL" --no-owner --no-privileges --exit-on-error \
    --single-transaction "$src/database.dump"
tar -C "$MEDIA_ROOT" -xzf "$src/media.tar.gz"
tar -C "$PRIVATE_MEDIA_ROOT" -xzf "$src/private.tar.gz"
echo "restored $src"
