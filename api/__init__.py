"""The REST API: FastAPI app, v1 and v2 adapters over the billing services, auth and clients."""
