"""The OpenAPI schema's shared parts (a drf-spectacular post-processing hook): the error answers
every operation may give, so that the schema describes every answer the API gives."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": (
        "Un errore: `detail` con il motivo, oppure, per un filtro non valido, il nome del "
        "parametro con l'elenco dei motivi."
    ),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errore"}}},
    }


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Errore"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", _error("Parametro non valido (con il motivo)."))
            if "{" in path:
                responses.setdefault("404", _error("Non trovato, o non visibile a chi chiede."))
            responses.setdefault(
                "429",
                {
                    **_error("Troppe richieste da questo indirizzo (client senza accesso)."),
                    "headers": {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Secondi da attendere.",
                        }
                    },
                },
            )
    return result
