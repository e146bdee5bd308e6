import json
from pathlib import Path

from typer.testing import CliRunner

from mamori.detect.cli import app
from mamori.detect.datasets import read_court
from mamori.detect.evaluation import evaluate
from tests.conftest import loud_skip

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "court-defamation" / "train.jsonl"


def test_score_writes_one_record_per_line_and_reports_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_bytes(
        b'{"id": 1, "text": "\xe6\xad\xbb\xe3\x81\xad"}\n'  # 死ね
        b"not json\n"
        b'{"id": 3, "text": "bad \xff utf-8"}\n'
        b'{"id": 4}\n'
        b'{"id": 5, "text": "\xe4\xbb\x8a\xe6\x97\xa5\xe3\x81\xaf\xe6\x99\xb4\xe3\x82\x8c"}\n'  # 今日は晴れ
    )
    out = tmp_path / "scores.jsonl"
    result = CliRunner().invoke(app, ["score", "--in", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r.get("error") for r in records] == [None, "malformed_json", "invalid_utf8", "missing_text", None]
    assert records[1]["line"] == 2 and records[3]["id"] == 4
    assert "insult" in records[0]["flags"] and records[4]["flags"] == []
    assert set(records[0]["scores"]) == {
        "defamation",
        "insult",
        "threat",
        "privacy",
        "discrimination",
        "abuse",
    }
    assert "line 2" in result.output


def test_retraining_with_the_same_seed_gives_the_same_metrics() -> None:
    if not DATA.exists():
        loud_skip(f"retraining test: the court data set is not at {DATA} (shared/ beside the checkout)")
    posts = read_court(DATA)[::4]
    first = evaluate(posts, seed=7, rounds=20).as_dict()
    second = evaluate(posts, seed=7, rounds=20).as_dict()
    assert first == second
    assert first["systems"][0]["categories"]["defamation"]["positives"] > 0
