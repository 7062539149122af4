"""Floor 1: the SQLAlchemy base, engine and sessions, shared column types and migrations."""

from store.base import Base
from store.db import make_engine, make_session_factory, session_scope
from store.types import Money, UTCDateTime, utcnow

__all__ = ["Base", "Money", "UTCDateTime", "make_engine", "make_session_factory", "session_scope", "utcnow"]
