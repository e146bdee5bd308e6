"""JSON routes: POST /api/v1/detect (a batch of posts) and POST /api/v1/nudge (one draft post).

Both are public and bounded before any scoring: a body of at most MAMORI_MAX_BODY_BYTES, posts of at
most MAX_TEXT_CHARS (what the model reads), a batch of at most MAX_BATCH_CHARS in all, no invisible
controls or broken characters (422 naming the post), and a number of requests per client address per
minute (429).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from mamori.core.text import MultiLineText
from mamori.detect import model, service
from mamori.detect.messages import NOTICE_MESSAGE, in_both_languages
from mamori.detect.model import Category, DetectionResult
from mamori.web.deps import PUBLIC, rate_limit

router = APIRouter(prefix="/api/v1", tags=["detect"])

MAX_BATCH = 1000
# What the model reads of one post; longer is refused here (422) rather than silently cut.
MAX_TEXT_CHARS = model.MAX_TEXT_CHARS
# All posts of one batch together: a bound on the CPU one request may take (well under a second).
MAX_BATCH_CHARS = 100_000
MAX_DRAFT_CHARS = MAX_TEXT_CHARS

Post = Annotated[MultiLineText, Field(max_length=MAX_TEXT_CHARS)]


class DetectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    texts: list[Post] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description=f"1 to {MAX_BATCH} posts of at most {MAX_TEXT_CHARS:,} characters each, "
        f"{MAX_BATCH_CHARS:,} in all",
    )

    @field_validator("texts")
    @classmethod
    def _batch_within_limit(cls, texts: list[str]) -> list[str]:
        total = sum(len(t) for t in texts)
        if total > MAX_BATCH_CHARS:
            raise ValueError(
                f"一度に送れるのは合計 {MAX_BATCH_CHARS:,} 文字までです (今回は {total:,} 文字)。"
                "いくつかに分けて送ってください。 / "
                f"A batch may hold {MAX_BATCH_CHARS:,} characters in all (this one has {total:,}); "
                "split it into several requests."
            )
        return texts


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
    text: Post = Field(description=f"the draft post, at most {MAX_DRAFT_CHARS:,} characters")


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


@router.post(
    "/detect",
    response_model=DetectResponse,
    dependencies=[PUBLIC, rate_limit("detect", "detect_rate_limit_per_minute")],
)
def detect(body: DetectRequest) -> DetectResponse:
    """Scores, flags and explaining spans for each post, in order."""
    return DetectResponse(results=[detection_public(r) for r in service.score_texts(body.texts)])


@router.post(
    "/nudge",
    response_model=NudgeResponse,
    dependencies=[PUBLIC, rate_limit("nudge", "nudge_rate_limit_per_minute")],
)
def nudge(body: NudgeRequest) -> NudgeResponse:
    """Whether to ask the writer to stop and think before posting, with the message in ja and en."""
    result = service.nudge(body.text)
    message = in_both_languages(result.message_id) if result.message_id else None
    return NudgeResponse(
        nudge=result.nudge, category=result.category, score=round(result.score, 4), message=message
    )
