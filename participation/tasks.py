"""Thin Celery tasks of participation."""

from __future__ import annotations
