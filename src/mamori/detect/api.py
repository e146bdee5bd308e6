"""JSON routes: POST /api/v1/detect (a batch of posts) and POST /api/v1/nudge (one draft post)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from mamori.detect import service
from mamori.detect.messages import NOTICE_MESSAGE, in_both_languages
from mamori.detect.model import Category, DetectionResult

router = APIRouter(prefix="/api/v1", tags=["detect"])

MAX_BATCH = 1000
# A draft longer than this is not a post any service accepts; the batch route cuts and flags instead.
MAX_DRAFT_CHARS = 10_000


class DetectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[str] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"1 to {MAX_BATCH} posts; longer ones are cut and flagged",
    )


class SpanPublic(BaseModel):
    start: int
    end: int
    category: Category
    why: dict[str, str]


class NoticePublic(BaseModel):
    code: str
    message: dict[str, str]


class DetectionPublic(BaseModel):
    scores: dict[Category, float]
    flags: list[Category]
    spans: list[SpanPublic]
    notices: list[NoticePublic]
    rights: list[str] = Field(description="rights a removal request could name, most likely first")


class DetectResponse(BaseModel):
    results: list[DetectionPublic]


class NudgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=MAX_DRAFT_CHARS, description="the draft post")


class NudgeResponse(BaseModel):
    nudge: bool
    category: Category | None
    score: float
    message: dict[str, str] | None


def detection_public(result: DetectionResult) -> DetectionPublic:
    return DetectionPublic(
        scores=result.scores,
        flags=result.flags,
        spans=[
            SpanPublic(start=s.start, end=s.end, category=s.category, why=in_both_languages(s.why))
            for s in result.spans
        ],
        notices=[
            NoticePublic(code=n.value, message=in_both_languages(NOTICE_MESSAGE[n])) for n in result.notices
        ],
        rights=service.suggest_rights(result),
    )


@router.post("/detect", response_model=DetectResponse)
def detect(body: DetectRequest) -> DetectResponse:
    """Scores, flags and explaining spans for each post, in order."""
    return DetectResponse(results=[detection_public(r) for r in service.score_texts(body.texts)])


@router.post("/nudge", response_model=NudgeResponse)
def nudge(body: NudgeRequest) -> NudgeResponse:
    """Whether to ask the writer to stop and think before posting, with the message in ja and en."""
    result = service.nudge(body.text)
    message = in_both_languages(result.message_id) if result.message_id else None
    return NudgeResponse(
        nudge=result.nudge, category=result.category, score=round(result.score, 4), message=message
    )
