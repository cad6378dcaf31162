#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database (pg_dump, custom format) and the two file areas
# (public uploads, private files). README › Deploying › Backups and restore.
#
#   scripts/backup.sh DEST_FOLDER
#
# Reads DATABASE_URL, MEDIA_ROOT and PRIVATE_MEDIA_ROOT from the environment (the portal's own
# variables). Writes DEST_FOLDER/portal-YYYYmmdd-HHMMSS/ with database.dump, media.tar.gz,
# private.tar.gz and SHA256SUMS, and prints that folder. With docker compose (the image has the
# PostgreSQL client and the volumes mounted):
#
#   docker compose run --rm -v "$PWD/backups:/backups" web scripts/backup.sh /backups
#
# The backup holds personal data and private documents: keep it encrypted and off the host.
set -euo pipefail

die() { echo "backup: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: scripts/backup.sh DEST_FOLDER"
dest_root=$1
: "${DATABASE_URL:?backup: DATABASE_URL is not set}"
: "${MEDIA_ROOT:?backup: MEDIA_ROOT is not set}"
: "${PRIVATE_MEDIA_ROOT:?backup: PRIVATE_MEDIA_ROOT is not set}"
[[ $DATABASE_URL == postgres://* || $DATABASE_URL == postgresql://* ]] \
    || die "DATABASE_URL must be a PostgreSQL address (postgres://...)"
for folder in "$MEDIA_ROOT" "$PRIVATE_MEDIA_ROOT"; do
    [[ -d $folder ]] || die "folder not found: $folder"
done
command -v pg_dump >/dev/null || die "pg_dump not found (Debian: apt-get install postgresql-client)"

dest="$dest_root/portal-$(date -u +%Y%m%d-%H%M%S)"
[[ ! -e $dest ]] || die "$dest already exists"
umask 077
mkdir -p "$dest"

# Custom format: compressed, restored with pg_restore (any table alone, in parallel). Without
# owners and grants, so that it restores into a database of another name and owner.
pg_dump --dbname="$DATABASE_URL" --format=custom --no-owner --no-privileges \
    --file="$dest/database.dump"
tar -C "$MEDIA_ROOT" -czf "$dest/media.tar.gz" .
tar -C "$PRIVATE_MEDIA_ROOT" -czf "$dest/private.tar.gz" .
# Written last: a folder without SHA256SUMS is a backup that did not finish.
(cd "$dest" && sha256sum database.dump media.tar.gz private.tar.gz >SHA256SUMS.tmp \
    && mv SHA256SUMS.tmp SHA256SUMS)
echo "$dest"
