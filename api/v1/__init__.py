"""API v1: bearer tokens from staff login; the original endpoint set."""
