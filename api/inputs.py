"""Map a request schema onto a billing service's input dataclass (``XCreate`` / ``XUpdate``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


def build(cls: type[T], body: BaseModel | Mapping[str, Any], **extra: Any) -> T:
    """``cls(**fields)`` from the body (only what was sent, for updates) plus ``extra``, keeping only
    the fields ``cls`` declares."""
    values = body.model_dump(exclude_unset=True) if isinstance(body, BaseModel) else dict(body)
    values.update(extra)
    names = {f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else set(values)
    return cls(**{k: v for k, v in values.items() if k in names})
