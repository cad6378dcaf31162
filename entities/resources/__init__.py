"""Import and export of entities (django-import-export): the resource (entity) and its widgets
(widgets). `EntityResource` and `row_errors` are importable from `entities.resources` as before."""

from entities.resources.entity import EntityResource, row_errors

__all__ = ["EntityResource", "row_errors"]
