"""API v2: client-credentials tokens; full CRUD and the newer endpoints."""
