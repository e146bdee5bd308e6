"""The council's common file: a consultation centre exports from its records, a hotline from its desk's
counts; the council merges them (totals agree, cells below the threshold never appear) and refuses a
malformed file with file:line, changing nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.core.errors import DomainError
from mamori.council import model, service
from mamori.council.charts import chart_png, merged_csv
from tests.consult import factories

SECRETARIAT = Actor("user:secretariat", frozenset({"supervisor"}))
AT = dt.datetime(2024, 5, 10, 10, 0, tzinfo=JST)  # a year of its own (other tests' data is in 2026)
HOTLINE_FILE = model.write(
    "誹謗中傷ホットライン",
    "hotline",
    2024,
    {
        "month": Counter({"2024-05": 7}),
        "harm": Counter({"insult": 5, "privacy": 3}),
        "service": Counter({"x": 5}),
    },
    5,
)


def centre_file(db: Session) -> str:
    _user, counsellor = factories.staff(db, "counsellor", at=AT)
    for n in range(6):
        factories.consultation(db, counsellor, at=AT + dt.timedelta(hours=n), categories=("insult",))
    for n in range(2):
        factories.consultation(db, counsellor, at=AT + dt.timedelta(days=1, hours=n), categories=("privacy",))
    factories.consultation(db, counsellor, at=dt.datetime(2025, 1, 5, tzinfo=JST))  # another year
    return service.export(2024, "違法・有害情報相談センター", "consultation_centre", db=db, threshold=5)


def test_two_members_merge_into_totals_that_agree_without_suppressed_cells(db: Session) -> None:
    centre = centre_file(db)
    assert "2024,harm,insult,6" in centre and ",privacy," not in centre  # 2 privacy: suppressed
    assert "2025" not in centre.replace("2024,", "")
    for name, text in (("centre.csv", centre), ("hotline.csv", HOTLINE_FILE)):
        service.import_file(text.encode(), name, db=db, threshold=5, at=AT, by=SECRETARIAT)
    m = service.merged(2024, db=db)
    assert sorted(n for n, _k in m.members) == ["誹謗中傷ホットライン", "違法・有害情報相談センター"]
    assert dict(m.by["month"]) == {"2024-05": 15}
    assert dict(m.by["harm"]) == {"insult": 11}  # privacy (2 and 3) suppressed by both members
    assert m.total("month") == sum(per["month"] for per in m.per_member.values())
    assert dict(m.by["service"]) == {"x": 13}
    csv_text = merged_csv(m, "en")
    assert "2024,harm,insult,Insult,11" in csv_text and "privacy" not in csv_text
    assert chart_png(m, "month", "ja").startswith(b"\x89PNG")


def test_a_new_file_of_a_member_replaces_its_earlier_one(db: Session) -> None:
    service.import_file(HOTLINE_FILE.encode(), "a.csv", db=db, threshold=5, at=AT, by=SECRETARIAT)
    again = HOTLINE_FILE.replace("2024-05,7", "2024-05,9")
    service.import_file(again.encode(), "b.csv", db=db, threshold=5, at=AT, by=SECRETARIAT)
    assert dict(service.merged(2024, db=db).by["month"]) == {"2024-05": 9}


HEADER = ",".join(model.HEADER)
ROW = "mamori-council/1,M,hotline,2024,"


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        (f"{HEADER}\n{ROW}month,2024-05,7\n{ROW}harm,insult,2\n", 3, "below the suppression threshold"),
        (f"{HEADER}\n{ROW}month,2024-05,7\n{ROW}harm,insult,five\n", 3, "whole number"),
        (f"{HEADER}\n{ROW}month,2024-13,7\n", 2, "2024-MM"),
        (f"{HEADER}\n{ROW}colour,red,7\n", 2, "dimension"),
        (
            f"{HEADER}\n{ROW}month,2024-05,7\nmamori-council/1,Other,hotline,2024,month,2024-06,7\n",
            3,
            "one member",
        ),
        (f"{HEADER}\n{ROW}month,2024-05,7\n{ROW}month,2024-05,8\n", 3, "twice"),
        (f"format,member\n{ROW}month,2024-05,7\n", 1, "header"),
        (f"{HEADER}\n{ROW}month,2024-05\n", 2, "columns"),
        (f"{HEADER}\nmamori-council/0,M,hotline,2024,month,2024-05,7\n", 2, "format"),
    ],
)
def test_a_malformed_file_is_refused_with_file_and_line_and_changes_nothing(
    db: Session, text: str, line: int, says: str
) -> None:
    service.import_file(
        HOTLINE_FILE.replace("誹謗中傷ホットライン", "M").encode(),
        "good.csv",
        db=db,
        threshold=5,
        at=AT,
        by=SECRETARIAT,
    )
    before = service.merged(2024, db=db)
    with pytest.raises(DomainError) as refused:
        service.import_file(text.encode(), "member.csv", db=db, threshold=5, at=AT, by=SECRETARIAT)
    assert refused.value.en.startswith(f"member.csv:{line}: ") and says in refused.value.en
    assert refused.value.ja.startswith(f"member.csv:{line}: ")
    assert service.merged(2024, db=db) == before


def test_only_a_council_manager_imports(db: Session) -> None:
    with pytest.raises(DomainError) as refused:
        service.import_file(
            HOTLINE_FILE.encode(),
            "a.csv",
            db=db,
            threshold=5,
            at=AT,
            by=Actor("user:c", frozenset({"counsellor"})),
        )
    assert refused.value.status == 403


def test_the_council_page_shows_the_merge_and_refuses_a_bad_upload(
    client: Any, db: Session, clock: Any
) -> None:
    from tests.channels.support import sign_in
    from tests.workspace.support import staff

    user = staff(db, "supervisor@council.test", ["supervisor"])
    sign_in(client, db, user.id, clock.now())
    client.get("/council")
    token = str(client.cookies.get("mamori_csrf")).split(".")[0]
    name = f"会員{user.id[:6]}"
    good = client.post(
        "/council/imports",
        data={"csrf_token": token},
        files={
            "file": (
                "h.csv",
                HOTLINE_FILE.replace("誹謗中傷ホットライン", name).replace("2024", "2023").encode(),
                "text/csv",
            )
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    page = client.get("/council?year=2023&lang=en")
    assert page.status_code == 200 and name in page.text and "By kind of harm" in page.text
    bad = client.post(
        "/council/imports?lang=en",
        data={"csrf_token": token},
        files={"file": ("bad.csv", f"{HEADER}\n{ROW}month,2024-05,1\n".encode(), "text/csv")},
    )
    assert bad.status_code == 422 and "bad.csv:2:" in bad.text
    assert client.get("/council/merged.csv?year=2023").text.count("\r\n") >= 3
    assert client.get("/council/charts/harm.png?year=2023").content.startswith(b"\x89PNG")
