"""Answers every route may give: the liveness status, and the problem document of an error."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Health", "Problem"]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:activation-service:problem:invalid-parameter"])
    title: str = Field(examples=["Unprocessable Content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["parameter 'alpha' must be >= -1000000.0, got -1e9"])
    errors: list[dict[str, Any]] | None = Field(
        None, description="Each problem with its location: {loc: [...], msg: ...}."
    )
    suggestions: list[str] | None = Field(None, description="Known names close to an unknown one.")
