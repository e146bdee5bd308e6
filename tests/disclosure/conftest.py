"""A second database of its own (the access provider's mamori, beside the content provider's)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _create_pg_database, _drop_pg_database


@pytest.fixture
def second_database_url(
    migrated_database: tuple[str, str], postgres_server: str | None, tmp_path: Path
) -> Iterator[str]:
    backend, template_url = migrated_database
    if backend == "sqlite":
        dst = tmp_path / "second.db"
        shutil.copyfile(Path(template_url.removeprefix("sqlite:///")), dst)
        yield f"sqlite:///{dst}"
        return
    assert postgres_server is not None
    name = f"mamori_t2_{uuid.uuid4().hex[:10]}"
    yield _create_pg_database(postgres_server, name, template=template_url.rpartition("/")[2])
    _drop_pg_database(postgres_server, name)
