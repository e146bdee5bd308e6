import pytest

from mamori.detect import service
from mamori.detect.model import MAX_TEXT_CHARS, Category, Notice


def test_sharp_criticism_is_not_flagged_as_insult() -> None:
    for text in (
        "この政策は愚策だと思う。大臣は説明責任を果たしていない。",
        "その主張には根拠がない。データを示してから議論すべきだ。",
    ):
        result = service.score_text(text)
        assert Category.INSULT not in result.flags, text


def test_policy_criticism_does_not_trigger_a_nudge() -> None:
    answer = service.nudge("この政策は愚策だと思う。大臣は説明責任を果たしていない。")
    assert not answer.nudge


def test_criticism_cues_do_not_spare_an_insult_beside_them() -> None:
    result = service.score_text("こんな愚策を出すゴミ政治家は消えろ")
    assert not result.criticism
    assert service.nudge("こんな愚策を出すゴミ政治家は消えろ").category is Category.INSULT


def test_policy_criticism_is_marked_as_criticism() -> None:
    assert service.score_text("増税の判断は間違っている。まず歳出を見直すべきだ。").criticism


@pytest.mark.xfail(
    strict=True,
    reason="known weakness: バカ has no rule floor (it is common in friendly banter) and the insult "
    "head scores this attack on a referee below its threshold",
)
def test_insult_without_a_floor_term_triggers_a_nudge() -> None:
    assert service.nudge("審判は目が腐ってるバカ、二度と笛吹くな").nudge


def test_direct_insult_is_flagged_and_explained_by_a_span() -> None:
    text = "お前みたいなクズは死ね"
    result = service.score_text(text)
    assert Category.INSULT in result.flags
    assert any(text[s.start : s.end] == "死ね" and s.category is Category.INSULT for s in result.spans)


def test_explicit_threat_triggers_a_nudge_about_threats() -> None:
    answer = service.nudge("夜道に気をつけろよ、家まで行くからな")
    assert answer.nudge and answer.category is Category.THREAT and answer.message_id


def test_empty_and_whitespace_only_texts_are_answered_not_scored() -> None:
    for text in ("", "   \n\t "):
        result = service.score_text(text)
        assert result.notices == [Notice.EMPTY]
        assert result.flags == [] and all(v == 0.0 for v in result.scores.values())


def test_enormous_text_is_scored_on_its_head_and_flagged_truncated() -> None:
    result = service.score_text("普通の文章です。" * (MAX_TEXT_CHARS // 4))
    assert Notice.TRUNCATED in result.notices


def test_non_japanese_text_is_marked_as_outside_the_model() -> None:
    result = service.score_text("This is a perfectly normal English sentence.")
    assert Notice.NOT_JAPANESE in result.notices


def test_scores_cover_every_category_as_probabilities() -> None:
    [result] = service.score_texts(["あいつは詐欺師だ"])
    assert set(result.scores) == set(Category)
    assert all(0.0 <= v <= 1.0 for v in result.scores.values())


def test_a_batch_with_bad_items_scores_every_item() -> None:
    texts = ["", "\x00\x01", "x" * (MAX_TEXT_CHARS * 2), "あいつは前科者", "🙂"]
    assert len(service.score_texts(texts)) == len(texts)


def test_rights_are_suggested_from_flags() -> None:
    result = service.score_text("お前みたいな人間のクズは死ね。家に行くから覚悟しとけ")
    rights = service.suggest_rights(result)
    assert "名誉感情" in rights and "私生活の平穏" in rights


def test_scoring_from_many_threads_at_once_works() -> None:
    """The web server scores in a thread pool; the tokenizer must not be shared between threads."""
    from concurrent.futures import ThreadPoolExecutor

    from mamori.detect import service as detect

    texts = [f"お前は本当にバカだな{i}" for i in range(64)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(detect.score_text, texts))
    assert len(results) == 64 and all(r.scores for r in results)
