"""Pydantic request and response schemas, one per use and per API version."""
