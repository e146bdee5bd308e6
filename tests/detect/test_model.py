from hypothesis import given
from hypothesis import strategies as st

from mamori.detect.model import MAX_TEXT_CHARS, Notice, clean_input, normalise


def test_spaced_and_homophone_spellings_read_as_the_plain_word() -> None:
    assert normalise("死 ね").text == "死ね"
    assert normalise("氏ね").text == "死ね"
    assert normalise("ｺﾛｽぞ").text == "殺すぞ"


def test_laughter_and_repeated_characters_are_folded() -> None:
    assert normalise("草草草 ｗｗｗｗ").text == "w w"
    assert normalise("すごーーーーい").text == "すごーーい"


def test_romaji_insult_in_japanese_text_is_read_as_kana_but_not_in_english() -> None:
    assert normalise("お前 baka だろ").text == "お前 バカ だろ"
    assert normalise("shine bright").text == "shine bright"


def test_normalised_offsets_point_back_at_the_original() -> None:
    original = "おい、氏 ね"
    mapped = normalise(original)
    at = mapped.text.index("死ね")
    start, end = mapped.original_span(at, at + 2)
    assert original[start:end] == "氏 ね"


def test_enormous_text_is_cut_and_flagged() -> None:
    text, notices = clean_input("あ" * (MAX_TEXT_CHARS + 5))
    assert len(text) == MAX_TEXT_CHARS and Notice.TRUNCATED in notices


def test_control_characters_become_spaces_without_moving_offsets() -> None:
    text, notices = clean_input("バカ\x00\x07だ")
    assert text == "バカ  だ" and Notice.CONTROL_CHARACTERS in notices


@given(st.text(max_size=60))
def test_every_normalised_character_maps_into_the_original(text: str) -> None:
    mapped = normalise(text)
    assert len(mapped.origin) == len(mapped.text)
    assert all(0 <= i < len(text) for i in mapped.origin)
