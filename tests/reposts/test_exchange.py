"""Banks exchanged as hashes only: `mamori reposts export-bank` writes the documented JSON lines (no text),
`import-bank` brings a peer's bank in so its removals are matched here, and a malformed file is refused
whole naming file:line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mamori.cli import app
from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.reposts import exchange, model, service, store
from tests.factories import make_staff

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)
REMOVED = (
    "博多の総合病院で働いている佐藤健一は診療報酬を不正に請求している。被害者は他にもいる。誰か通報してくれ"
)
REPOST = (
    "博多の総合病院で働いてる佐藤ケンイチは診療報酬を不正に請求している！！被害者は他にもいる…誰か通報して"
)


@pytest.fixture
def runner(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        make_staff(db, ["administrator"], "admin@example.com")
        make_staff(db, ["specialist"], "specialist@example.com")
        service.add_text(db, REMOVED, at=AT, version=1, criteria_version="2026.1", clause_code="2.1")
        service.add_image_hash(
            db, "f" * 16 + "0" * 48, at=AT, version=1, clause_code="2.1", criteria_version="2026.1"
        )
    engine.dispose()
    return CliRunner()


def count(url: str, source: str | None = None) -> int:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as db:
        query = select(func.count()).select_from(store.FingerprintRow)
        if source:
            query = query.where(store.FingerprintRow.source == source)
        n = int(db.scalar(query) or 0)
    engine.dispose()
    return n


def test_export_writes_hashes_only_in_the_documented_format(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "bank.jsonl"
    result = runner.invoke(
        app, ["reposts", "export-bank", "--out", str(out), "--as", "admin@example.com", "--source", "board-a"]
    )
    assert result.exit_code == 0, result.output
    header, *entries = [json.loads(line) for line in out.read_text().splitlines()]
    assert header["format"] == "mamori-repost-bank" and header["format_version"] == 1
    assert header["bank_version"] == 1 and header["count"] == 2 and header["source"] == "board-a"
    assert header["algorithm"]["num_perm"] == model.NUM_PERM and header["algorithm"]["bands"] == model.BANDS
    text, image = sorted(entries, key=lambda e: e["kind"], reverse=True)
    assert set(text) == {"id", "kind", "minhash", "bands", "clause", "criteria_version", "banked_at"}
    assert len(text["bands"]) == model.BANDS and text["clause"] == "2.1"
    assert image["pdq"] == "f" * 16 + "0" * 48
    assert "佐藤" not in out.read_text() and "診療" not in out.read_text()


def test_only_an_administrator_may_export(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["reposts", "export-bank", "--out", str(tmp_path / "b"), "--as", "specialist@example.com"]
    )
    assert result.exit_code == 2 and not (tmp_path / "b").exists()


def test_an_imported_bank_finds_reposts_of_what_the_peer_removed(
    runner: CliRunner, tmp_path: Path, fresh_database_url: str
) -> None:
    out = tmp_path / "bank.jsonl"
    runner.invoke(
        app, ["reposts", "export-bank", "--out", str(out), "--as", "admin@example.com", "--source", "peer"]
    )
    result = runner.invoke(app, ["reposts", "import-bank", str(out), "--as", "admin@example.com"])
    assert result.exit_code == 0, result.output
    assert "2 fingerprints imported from import:peer; bank version 2" in result.output
    assert count(fresh_database_url, "import:peer") == 2
    again = runner.invoke(app, ["reposts", "import-bank", str(out), "--as", "admin@example.com"])
    assert again.exit_code == 0 and count(fresh_database_url, "import:peer") == 2  # replaced, not doubled
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        for fp in db.scalars(select(store.FingerprintRow).where(store.FingerprintRow.source == "local")):
            for band in db.scalars(select(store.BandKeyRow).where(store.BandKeyRow.fingerprint_id == fp.id)):
                db.delete(band)
            db.delete(fp)  # only the peer's hashes are left
    with transaction(make_sessionmaker(engine)) as db:
        (result_,) = service.check_posts(
            [service.Post("p-9", REPOST)],
            db=db,
            settings=Settings(database_url=fresh_database_url),
            at=AT,
            by=Actor("user:x", frozenset({"specialist"})),
        )
        assert result_.matched and result_.clause_code == "2.1"
        view = service.view_match(
            result_.match_id or "",
            db=db,
            settings=Settings(database_url=fresh_database_url),
            at=AT,
            by=Actor("user:x", frozenset({"specialist"})),
        )
        assert view.original.text is None and view.original.source == "import:peer"  # no text came with it
    engine.dispose()


@pytest.mark.parametrize(
    ("breakage", "line", "says"),
    [
        (lambda lines: [*lines[:1], "{not json", *lines[1:]], 2, "not JSON"),
        (
            lambda lines: [
                lines[0],
                lines[1].replace('"kind": "text"', '"kind": "text", "text": "本文"'),
                *lines[2:],
            ],
            2,
            "unknown fields",
        ),
        (lambda lines: [lines[0].replace('"num_perm": 128', '"num_perm": 64'), *lines[1:]], 1, "algorithm"),
        (lambda lines: [lines[0], lines[1], lines[2].replace('"pdq": "f', '"pdq": "z')], 3, "PDQ"),
        (lambda lines: [lines[0], lines[1], lines[2], lines[2]], 4, "header says 2"),
    ],
)
def test_a_malformed_bank_is_refused_whole_naming_the_line(
    runner: CliRunner, tmp_path: Path, fresh_database_url: str, breakage: object, line: int, says: str
) -> None:
    out = tmp_path / "bank.jsonl"
    runner.invoke(
        app, ["reposts", "export-bank", "--out", str(out), "--as", "admin@example.com", "--source", "peer"]
    )
    lines = sorted(out.read_text().splitlines()[1:], key=lambda s: '"kind": "image"' in s)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(breakage([out.read_text().splitlines()[0], *lines])) + "\n")  # type: ignore[operator]
    result = runner.invoke(app, ["reposts", "import-bank", str(broken), "--as", "admin@example.com"])
    assert result.exit_code == 2
    assert f"{broken}:{line}:" in result.output and says in result.output
    assert count(fresh_database_url, "import:peer") == 0


def test_parse_refuses_bands_that_disagree_with_the_signature() -> None:
    sig = model.signature(REMOVED)
    header = json.dumps(
        {
            "format": exchange.FORMAT,
            "format_version": 1,
            "algorithm": exchange.algorithm(),
            "source": "x",
            "count": 1,
        }
    )
    entry = json.dumps(
        {"id": "1", "kind": "text", "minhash": model.signature_hex(sig), "bands": ["0" * 16] * 32}
    )
    with pytest.raises(exchange.BankFileError) as caught:
        exchange.parse([header, entry], "f.jsonl")
    assert "f.jsonl:2:" in caught.value.en


def test_a_new_import_from_the_same_peer_replaces_its_entries_but_keeps_reviewed_ones_unmatched(
    db: Session, settings: Settings
) -> None:
    admin = Actor("user:admin", frozenset({"administrator"}))
    specialist = Actor("user:s", frozenset({"specialist"}))
    service.add_text(db, REMOVED, at=AT, version=1, criteria_version="2026.1", clause_code="2.1")
    lines = list(exchange.export_lines(db=db, at=AT, by=admin, source="peer"))
    for fp in db.scalars(select(store.FingerprintRow)):
        for band in db.scalars(select(store.BandKeyRow).where(store.BandKeyRow.fingerprint_id == fp.id)):
            db.delete(band)
        db.delete(fp)
    db.flush()
    exchange.import_lines(lines, "peer.jsonl", db=db, at=AT, by=admin)
    (first,) = service.check_posts(
        [service.Post("p-1", REPOST)], db=db, settings=settings, at=AT, by=specialist
    )
    exchange.import_lines(lines, "peer.jsonl", db=db, at=AT, by=admin)
    old = db.get(store.MatchRow, first.match_id)
    assert old is not None and db.get(store.FingerprintRow, old.fingerprint_id).source == "withdrawn"  # type: ignore[union-attr]
    (second,) = service.check_posts(
        [service.Post("p-2", REPOST)], db=db, settings=settings, at=AT, by=specialist
    )
    assert second.matched
    assert db.get(store.MatchRow, second.match_id).fingerprint_id != old.fingerprint_id  # type: ignore[union-attr]
