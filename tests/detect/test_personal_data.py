from hypothesis import given
from hypothesis import strategies as st

from mamori.detect.personal_data import (
    PersonalDataKind,
    find_personal_data,
    is_valid_my_number,
    mask_personal_data,
    my_number_check_digit,
)


def kinds(text: str) -> list[PersonalDataKind]:
    return [m.kind for m in find_personal_data(text)]


def test_full_width_phone_number_is_found_and_masked() -> None:
    text = "連絡先は０９０－１２３４－５６７８です"
    [match] = find_personal_data(text)
    assert match.kind is PersonalDataKind.PHONE
    assert text[match.start : match.end] == "０９０－１２３４－５６７８"
    assert mask_personal_data(text) == "連絡先は＊＊＊＊＊＊＊＊＊＊＊＊＊です"


def test_my_number_check_digit_follows_the_ordinance() -> None:
    assert my_number_check_digit("12345678901") == 8
    assert is_valid_my_number("123456789018")


def test_my_number_with_bad_check_digit_is_not_flagged() -> None:
    assert kinds("番号は123456789012です") == []
    assert kinds("番号は1234 5678 9018です") == [PersonalDataKind.MY_NUMBER]


def test_street_address_needs_a_block_number() -> None:
    assert kinds("東京都新宿区に住んでいる") == []
    assert kinds("家は東京都新宿区西新宿二丁目8-1") == [PersonalDataKind.ADDRESS]


def test_postal_code_and_address_are_separate_matches() -> None:
    assert kinds("〒100-0001 東京都千代田区千代田1-1") == [
        PersonalDataKind.POSTAL_CODE,
        PersonalDataKind.ADDRESS,
    ]


def test_full_width_e_mail_is_found() -> None:
    assert kinds("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐに送れ") == [PersonalDataKind.EMAIL]


def test_a_price_or_a_date_is_not_a_phone_number() -> None:
    assert kinds("2024-03-15に1,980円で買った") == []


@given(st.text(max_size=80))
def test_masking_keeps_length_and_offsets(text: str) -> None:
    masked = mask_personal_data(text)
    assert len(masked) == len(text)
    for match in find_personal_data(text):
        assert text[match.start : match.end] == match.text
