"""The public records: ``Passage``, ``Citation`` and ``Answer`` (the ``ask --json`` contract)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Passage(BaseModel):
    """A retrieved chunk, ranked; ``page`` is null for unpaged sources (plain text)."""

    rank: int
    chunk_id: str
    source: str
    page: int | None = None
    section: str = ""
    text: str
    score: float
    title: str = ""
    chunk_index: int = 0

    @classmethod
    def from_metadata(cls, rank: int, chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
        page = meta.get("page", -1)
        return cls(
            rank=rank,
            chunk_id=chunk_id,
            source=str(meta.get("source", "")),
            page=None if page is None or int(page) < 0 else int(page),
            section=str(meta.get("section", "")),
            text=text,
            score=round(float(score), 4),
            title=str(meta.get("title", "")),
            chunk_index=int(meta.get("chunk_index", 0)),
        )


class Citation(BaseModel):
    """What an answer rests on: the quoted unit and the whole passage it sits in."""

    marker: int
    chunk_id: str
    source: str
    page: int | None = None
    section: str = ""
    quote: str
    text: str
    quote_start: int = Field(0, description="offset of the quote in `text`")
    quote_end: int = Field(0, description="end offset of the quote in `text`")


class Answer(BaseModel):
    """One answer; ``abstained`` is true when the corpus does not hold the answer."""

    id: str | None = None
    question: str
    answer: str
    abstained: bool = False
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    backend: str = "extractive"
    fallback_reason: str | None = None
    rewritten_query: str | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    confidence: float = 0.0
    abstain_reason: Literal["nothing_found", "unknown_name", "weak_match", "not_stated"] | None = Field(
        None,
        description="why the answer abstained: nothing_found, unknown_name, weak_match or not_stated "
        "(the closest passage lacks what was asked); null when it answered",
    )

    def to_json_dict(self) -> dict[str, Any]:
        """Contract form: ``id`` only appears in predictions."""
        data = self.model_dump()
        if data["id"] is None:
            data.pop("id")
        return data
