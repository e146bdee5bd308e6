"""The import contracts (pyproject.toml, checked by `lint-imports` in `python3 dev.py test`) cover every
package: a new capability cannot sit outside the layers, and every capability's store is guarded."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "mamori"


def contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def top_level_modules() -> set[str]:
    found = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    found |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    return {f"mamori.{name}" for name in found}


def test_every_package_and_module_is_in_a_layer() -> None:
    layers = contracts()["layers"]["layers"]
    named = {m.strip() for layer in layers for m in re.split(r"[|:]", str(layer))}  # type: ignore[attr-defined]
    assert top_level_modules() - named == set()


def test_every_store_is_guarded_from_the_other_capabilities() -> None:
    stores = {f"mamori.{p.parent.name}.store" for p in PACKAGE.glob("*/store.py") if p.parent.name != "core"}
    for store in stores:
        owner = store.split(".")[1]
        guarded = [
            c
            for c in contracts().values()
            if c["type"] == "forbidden" and store in c.get("forbidden_modules", [])  # type: ignore[operator]
        ]
        guarded_sources = {s for c in guarded for s in c["source_modules"]}  # type: ignore[attr-defined]
        capabilities = {s for s in stores if s.split(".")[1] != owner}
        assert {f"mamori.{s.split('.')[1]}" for s in capabilities} <= guarded_sources, store


def test_the_contracts_hold() -> None:
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_capabilitys_jobs_are_run_by_the_worker() -> None:
    """A `<capability>/jobs.py` the worker does not list would never run (nothing else calls it)."""
    from mamori.worker import JOB_MODULES

    found = {f"mamori.{p.parent.name}.jobs" for p in PACKAGE.glob("*/jobs.py") if p.parent.name != "core"}
    assert found == set(JOB_MODULES)
