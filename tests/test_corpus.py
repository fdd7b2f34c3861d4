"""The bad-input corpus: every case in tests/corpus/cases.json (inputs in tests/corpus/files/, written by
tests/corpus/make_corpus.py) is run through the command line and must give its exit code and its message, as
one line when the case says so, never a traceback; nothing may reach the network (a canary server stands at
the {port} the files name) and no file may be changed, created or left behind."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from .conftest import ROOT

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))


def _snapshot(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif not p.is_dir():
            out[str(p.relative_to(folder))] = "special"
    return out


def test_corpus_is_large_enough():
    assert len(CASES) >= 100
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case, runner, cli, tmp_path, canary, monkeypatch):
    port = canary.url.rsplit(":", 1)[1].strip("/").encode()
    files = tmp_path / "files"
    files.mkdir()
    for src in (CORPUS / "files").iterdir():
        (files / src.name).write_bytes(src.read_bytes().replace(b"{port}", port))
    shutil.copy(CORPUS / "files" / "good.ttl", tmp_path / "copy.ttl")
    (tmp_path / "q.rq").write_text("SELECT ?s WHERE { ?s a ?t }\n", encoding="utf-8")
    sock = None
    if case["special"] == "fifo":
        os.mkfifo(tmp_path / "fifo.ttl")
    elif case["special"] == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(tmp_path / "sock.ttl"))
    subst = {
        "{files}": str(files),
        "{tmp}": str(tmp_path),
        "{fifo}": str(tmp_path / "fifo.ttl"),
        "{socket}": str(tmp_path / "sock.ttl"),
        "{canary}": canary.url,
    }
    args = []
    for a in case["args"]:
        for k, v in subst.items():
            a = a.replace(k, v)
        args.append(a.replace("{port}", port.decode()))
    for k, v in case["env"].items():
        monkeypatch.setenv(k, v)
    before = _snapshot(tmp_path)
    try:
        res = runner.invoke(cli, args)
    finally:
        if sock is not None:
            sock.close()
    out = res.output
    assert ("Traceback" not in out and res.exception is None) or isinstance(res.exception, SystemExit), out
    assert res.exit_code == case["exit"], out
    if case["lines"] == "one":
        assert out.count("\n") == 1 and out.endswith("\n"), out
    assert re.search(case["match"], out), out
    assert _snapshot(tmp_path) == before, "a file was changed, created or left behind"
    if "{canary}" not in " ".join(case["args"]):
        assert canary.hits == [], canary.hits


def test_readme_data_model_snippet_uses_real_terms():
    """The Turtle snippet of the README's data model loads with the vocabulary check (no unknown term)."""
    from sscrdf.analysis.pipeline import load_checked
    from sscrdf.namespaces import PREFIXES

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = text.split("A city register in Turtle:", 1)[1].split("```turtle", 1)[1].split("```", 1)[0]
    head = "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items()) + "@prefix ex: <https://example.org/x/> .\n"
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"readme-snippet-{os.getpid()}.ttl"
    path.write_text(head + snippet, encoding="utf-8")
    try:
        assert load_checked([path]).triple_count > 5
    finally:
        path.unlink()
