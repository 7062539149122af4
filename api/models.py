"""API tables: clients, refresh tokens, revoked token ids and the request log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from billing.enums import StaffRole
from store import Base, UTCDateTime
from store.types import str_enum


class ApiVersion(StrEnum):
    V1 = "v1"
    V2 = "v2"


class RateTier(StrEnum):
    STANDARD = "standard"
    HIGH = "high"


class ApiClient(Base):
    """An integration allowed to call the API: its version, role, tier, scope and allow-list."""

    __tablename__ = "api_clients"
    __table_args__ = ({"sqlite_autoincrement": True},)  # never reuse an id: old tokens name it
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[ApiVersion] = mapped_column(str_enum(ApiVersion))
    tier: Mapped[RateTier] = mapped_column(str_enum(RateTier))
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    allowed_ips: Mapped[list[str]] = mapped_column(JSON, default=list)
    generation: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiRefreshToken(Base):
    """A v1 refresh token (stored as its SHA-256), usable once; reuse revokes its family."""

    __tablename__ = "api_refresh_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    generation: Mapped[int] = mapped_column(Integer, default=1)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiRevocation(Base):
    """A dead token id (``jti``) or token family (``fam:<id>``), kept until the token would expire."""

    __tablename__ = "api_revocations"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiRequestLog(Base):
    """One API request: who, what, the status and how long it took."""

    __tablename__ = "api_request_logs"
    __table_args__ = (Index("ix_api_request_logs_time", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(Integer, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    status: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
