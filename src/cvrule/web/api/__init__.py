"""The REST API under /api (its OpenAPI document: /api/openapi.json)."""
