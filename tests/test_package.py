"""Packaging and hygiene: the wheel carries the knowledge files, imports have no side effects, the version
comes from the package metadata."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import sscrdf
from sscrdf.resources import KINDS, data_dir

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    ".".join(p.relative_to(ROOT / "sscrdf").with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "sscrdf").rglob("*.py")
    if p.stem != "__main__" and p.parent.name != "__pycache__"
)


def test_version_comes_from_metadata():
    assert sscrdf.__version__ == version("sscrdf")


@pytest.mark.parametrize("kind", KINDS)
def test_bundled_folders_are_found(kind):
    assert any(data_dir(kind).iterdir())


def test_imports_have_no_side_effects(tmp_path):
    """Importing every module writes nothing (not in the working directory, not in HOME) and prints nothing."""
    code = f"import importlib\nfor m in {MODULES!r}:\n    importlib.import_module('sscrdf.' + m)\n"
    env = {"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    (tmp_path / "home").mkdir()
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["home"]


@pytest.mark.slow
def test_wheel_carries_ontology_shapes_rules_and_queries(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    wheel = next(tmp_path.glob("sscrdf-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind in KINDS:
        for f in (ROOT / kind).rglob("*"):
            if f.is_file():
                assert f"sscrdf/_data/{kind}/{f.relative_to(ROOT / kind).as_posix()}" in names, f
    assert "sscrdf/cli.py" in names
    assert "sscrdf/server/page.html" in names  # the query page of `sscrdf serve`
