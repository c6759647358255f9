"""OpenAPI post-processing: document the JSON errors every operation can answer."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error. Validation errors (400) map each field name to a list of messages.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the request's language."},
        "code": {"type": "string", "description": "A stable machine-readable code."},
    },
    "additionalProperties": True,
}

ERROR_TEXTS = {
    "400": "Invalid input: field names map to lists of messages.",
    "401": "Missing, invalid, expired or revoked token.",
    "403": "The object is in your scope but your role or token may not do this.",
    "404": "Not found, or outside your scope (the two look the same).",
    "405": "Method not allowed on this resource.",
    "409": "Conflicts with existing data (duplicate, or still in use).",
    "413": "Request body (or batch) too large.",
    "415": "Unsupported media type: send application/json.",
    "429": "Too many requests: slow down and retry after the Retry-After header.",
}


def _errors_for(method: str, path: str, public: bool) -> list[str]:
    codes = ["405", "429"]
    if not public:
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if method in {"post", "put", "patch"}:
        codes += ["400", "409", "413", "415"]
    if method == "delete":
        codes.append("409")
    return codes


def add_error_responses(result, generator, request, public):
    """Add the error schema and the applicable error responses to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            is_public = operation.get("security") == [{}] or {} in operation.get("security", [])
            responses = operation.setdefault("responses", {})
            for code in _errors_for(method, path, is_public):
                responses.setdefault(
                    code, {"description": ERROR_TEXTS[code], "content": {"application/json": {"schema": ref}}}
                )
    return result
