"""The generated test set: removed posts, reposts of them edited the ways reposters edit, screenshots read
back by OCR, and unrelated posts. Recall and false matches per kind of edit are printed; floors asserted."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mamori.reposts import media, model, variants
from mamori.reposts.lsh import BandIndex
from tests.conftest import loud_skip

THRESHOLD = 0.5  # the default of MAMORI_REPOST_MATCH_THRESHOLD
N_REMOVED = 300


@pytest.fixture(scope="module")
def bank() -> tuple[list[str], BandIndex]:
    rng = random.Random(17)
    removed = list(dict.fromkeys(variants.removed_post(rng) for _ in range(N_REMOVED)))
    index = BandIndex()
    index.add(model.signatures([model.shingle_hashes(model.normalise(t)) for t in removed]))
    return removed, index


def _matched(index: BandIndex, texts: list[str]) -> list[tuple[int, float] | None]:
    sigs = model.signatures([model.shingle_hashes(model.normalise(t)) for t in texts])
    return index.query(sigs, THRESHOLD).best(len(texts))


def test_normalisation_undoes_width_kana_punctuation_line_breaks_and_emoji() -> None:
    original = "山田花子は会社の金を横領している。みんな拡散して！"
    assert model.normalise(
        "ﾔﾏﾀﾞ花子は　会社の金を\n横領している😡😡‼️ ミンナ拡散して！！！"
    ) == model.normalise(original.replace("山田", "やまだ"))
    assert model.normalise("ひどーーーーい!!!") == "ひどーい"
    assert model.normalise("ＡＢＣ１２３") == "abc123"


@pytest.mark.parametrize("kind", list(variants.EDITS))
def test_edited_reposts_are_found_per_kind_of_edit(kind: str, bank: tuple[list[str], BandIndex]) -> None:
    removed, index = bank
    rng = random.Random(hash(kind) % 1000)
    edited = [variants.EDITS[kind](t, rng) for t in removed]
    found = _matched(index, edited)
    hits = [f for f in found if f is not None]
    recall = len(hits) / len(edited)
    wrong = sum(1 for i, f in enumerate(found) if f is not None and f[0] != i)
    print(
        f"\n{kind:12s} recall {recall:.3f}  wrong original {wrong}  mean similarity "
        f"{np.mean([s for _, s in hits]) if hits else 0:.2f}"
    )
    floors = {"mixed": 0.85, "deletion": 0.9, "insertion": 0.9}
    assert recall >= floors.get(kind, 0.99), kind
    assert wrong == 0  # an edited repost is linked to the post it copies, not to another removal


def test_unrelated_posts_never_match(bank: tuple[list[str], BandIndex]) -> None:
    _removed, index = bank
    rng = random.Random(5)
    unrelated = [variants.unrelated_post(rng) for _ in range(500)]
    found = _matched(index, unrelated)
    false = sum(f is not None for f in found)
    print(f"\nunrelated    false-match rate {false / len(unrelated):.3f}")
    assert false == 0


def test_screenshots_read_back_by_ocr_are_matched_as_text(bank: tuple[list[str], BandIndex]) -> None:
    if not media.ocr_available():
        loud_skip("tesseract with its Japanese model (tesseract-ocr-jpn) is not installed")
    font = media.japanese_font_path()
    assert font is not None, "install fonts-noto-cjk or fonts-ipaexfont"
    removed, index = bank
    sample = removed[:12]
    read = [media.ocr_text(variants.screenshot(t, font)) for t in sample]
    found = _matched(index, read)
    recall = sum(f is not None and f[0] == i for i, f in enumerate(found)) / len(sample)
    print(f"\nscreenshot   recall {recall:.3f} (OCR jpn, {len(sample)} images)")
    assert recall >= 0.8
