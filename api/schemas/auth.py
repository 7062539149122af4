"""Auth request and response bodies (v1 login/refresh, v2 client credentials)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LoginIn(BaseModel):
    """A staff user's email and password."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"email": "admin@example.com", "password": "your_password"}]})

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class RefreshIn(BaseModel):
    """A refresh token to spend."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"refresh_token": "rt_def50200abc123..."}]})

    refresh_token: str = Field(min_length=1, max_length=512)


class TokenPairOut(BaseModel):
    """A v1 access token and its refresh token."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6...", "token_type": "bearer", "expires_in": 3600,
        "refresh_token": "rt_def50200abc123..."}]})

    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str


class ClientCredentialsIn(BaseModel):
    """A v2 client's id and secret."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "client_id": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "client_secret": "sVn8K4pQ...xZ2mW"}]})

    client_id: str = Field(min_length=1, max_length=64)
    client_secret: str = Field(min_length=1, max_length=512)


class AccessTokenOut(BaseModel):
    """A short-lived v2 access token."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "access_token": "v2_eyJhbGciOiJIUzI1NiIsInR5cCI6...", "token_type": "bearer", "expires_in": 1800}]})

    access_token: str
    token_type: str = "bearer"
    expires_in: int
