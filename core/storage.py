"""Where files live. "default" holds public files (logos); "private" holds everything that must be
served only after a permission check (attachments, applications, generated PDFs). Both are a local
folder by default and S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set, so that
every web and worker node sees the same files."""

from __future__ import annotations

import hashlib

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    return storages["private"]


def file_basename(file) -> str:
    """The name a stored file is offered under: its name without the storage folders."""
    return file.name.rsplit("/", 1)[-1]


class StoredFileMixin:
    """For models with a `file` field: `filename` is the name without the storage folders."""

    @property
    def filename(self) -> str:
        return file_basename(self.file)


def sha256_of(content) -> str:
    """The SHA-256 of `content` (bytes, or a stored file read in chunks) as 64 hex digits: the
    fingerprint shown beside a published document, so that anyone can check that a downloaded
    copy is the published one (`sha256sum file.pdf`, or `certutil -hashfile file.pdf SHA256`)."""
    digest = hashlib.sha256()
    if isinstance(content, bytes | bytearray | memoryview):
        digest.update(content)
        return digest.hexdigest()
    content.open("rb")
    try:
        for chunk in content.chunks():
            digest.update(chunk)
    finally:
        content.close()
    return digest.hexdigest()
