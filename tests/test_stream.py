"""Many cities read graph by graph and written city by city (sscrdf/io/stream.py, sscrdf/render/stream.py,
parallel.map_stream): the streamed outputs of `sscrdf analyze` and `sscrdf infer` are byte for byte the outputs
of the in-memory path; a dataset whose graphs are interleaved is loaded whole instead; an error in the middle of
the stream leaves no output and no temporary file behind. Memory is measured by benchmarks/run.py, not here."""

from __future__ import annotations

import datetime as dt
import functools
import os
import random
import subprocess
import sys

import pyoxigraph as ox
import pytest

from sscrdf.api import KnowledgeBase, serialize
from sscrdf.io.stream import NotContiguous, contiguous, graph_batches, streamable
from sscrdf.parallel import map_stream

from .conftest import EXAMPLES, ROOT

pytestmark = (
    pytest.mark.slow
)  # streams generated cities through worker processes, file by file: the whole suite runs it, not the fast tier

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    """12 generated cities (one named graph each, in order) as TriG."""
    path = tmp_path_factory.mktemp("stream") / "cities.trig"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cities", "12", "--seed", "3", "-o", str(path)],
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def batches_of_5(monkeypatch):
    """Batches of 5 city graphs, two worker processes: several batches run in parallel."""
    monkeypatch.setenv("SSCRDF_BATCH_SIZE", "5")
    monkeypatch.setenv("SSCRDF_WORKERS", "2")


@functools.cache
def _whole_analysis(path):
    """The in-memory analysis of ``path`` (one per file and test process: the tests only render and read it)."""
    kb = KnowledgeBase()
    return kb.analyze(kb.load(path), as_of=AS_OF)


@functools.cache
def _whole_inference(path, only_inferred: bool) -> list[ox.Quad]:
    """The in-memory ``infer`` of ``path`` (one per file and test process: the tests only serialize and count it)."""
    kb = KnowledgeBase()
    return kb.infer(kb.load(path), only_inferred=only_inferred)


def _in_memory(path, fmt: str) -> str:
    report = _whole_analysis(path)
    text = {"json": report.to_json, "text": report.to_text, "md": report.to_markdown}[fmt]()
    return text if text.endswith("\n") else text + "\n"


def _analyze(runner, cli, path, out, fmt="json"):
    return runner.invoke(cli, ["analyze", str(path), "--as-of", AS_OF.isoformat(), "--format", fmt, "-o", str(out)])


def _shuffled(src, dest):
    """``src`` as N-Quads with its quads in a random order: every graph in many runs."""
    quads = sorted(ox.parse(path=str(src), format=ox.RdfFormat.TRIG), key=str)
    random.Random(7).shuffle(quads)
    dest.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    return dest


def test_the_generated_file_is_cut_into_batches_of_whole_graphs(cities):
    assert streamable([cities]) and contiguous([cities])
    batches = list(graph_batches([cities], batch_size=5))
    graphs = []
    for batch in batches:
        store = ox.Store()
        store.load(batch, ox.RdfFormat.N_QUADS)
        graphs.append(sorted(g.value for g in store.named_graphs()))
    expected = [f"https://bench.sscrdf.example/city/{i:04d}/graph" for i in range(1, 13)]
    assert graphs == [expected[0:5], expected[5:10], expected[10:12]]
    whole = ox.Store()
    whole.load(path=str(cities), format=ox.RdfFormat.TRIG)
    assert sum(len(list(ox.parse(b, format=ox.RdfFormat.N_QUADS))) for b in batches) == len(whole)


@pytest.mark.parametrize("fmt", ["json", "text", "md"])
def test_streamed_report_equals_the_in_memory_one(runner, cli, cities, tmp_path, batches_of_5, fmt):
    out = tmp_path / f"report.{fmt}"
    r = _analyze(runner, cli, cities, out, fmt)
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == _in_memory(cities, fmt)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"report.{fmt}"]  # no piece or temporary file left


def test_streamed_report_to_standard_output(runner, cli, cities, tmp_path, batches_of_5):
    r = runner.invoke(cli, ["analyze", str(cities), "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert r.exit_code == 0
    assert r.stdout_bytes.decode("utf-8") == _in_memory(cities, "json")


def test_streamed_examples_equal_the_in_memory_report(runner, cli, tmp_path, monkeypatch):
    """The two example cities, each in its own named graph of a TriG file, one batch each."""
    monkeypatch.setenv("SSCRDF_BATCH_SIZE", "1")
    quads = []
    for name in ("riverton", "lakeside"):
        graph = ox.NamedNode(f"https://example.org/graph/{name}")
        quads += [
            ox.Quad(q.subject, q.predicate, q.object, graph)
            for q in ox.parse(path=str(EXAMPLES / f"{name}.ttl"), format=ox.RdfFormat.TURTLE)
        ]
    data = tmp_path / "examples.trig"
    data.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG) or b"")
    assert len(list(graph_batches([data], batch_size=1))) == 2
    out = tmp_path / "a.json"
    r = _analyze(runner, cli, data, out)
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == _in_memory(data, "json")
    labels = [c["label"] for c in __import__("json").loads(out.read_text(encoding="utf-8"))["cities"]]
    assert labels == ["Lakeside", "Riverton"]  # by label, although Riverton's graph comes first


def test_interleaved_graphs_are_loaded_whole(runner, cli, cities, tmp_path, batches_of_5):
    mixed = _shuffled(cities, tmp_path / "mixed.nq")
    assert not contiguous([mixed])
    with pytest.raises(NotContiguous):
        list(graph_batches([mixed], batch_size=5))
    out = tmp_path / "a.json"
    r = _analyze(runner, cli, mixed, out)
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == _in_memory(mixed, "json")
    out = tmp_path / "i.trig"
    r = runner.invoke(cli, ["infer", str(mixed), "-o", str(out)])
    assert r.exit_code == 0, r.output
    kb = KnowledgeBase()
    assert out.read_bytes() == serialize(kb.infer(kb.load(mixed), only_inferred=False), "trig")


@pytest.mark.parametrize(
    ("fmt", "flags"),
    [("trig", []), ("nquads", ["--only-inferred"]), ("ttl", ["--only-inferred"]), ("nt", ["--only-inferred"])],
)
def test_streamed_infer_equals_the_in_memory_one(runner, cli, cities, tmp_path, batches_of_5, fmt, flags):
    out = tmp_path / f"inferred.{ {'nquads': 'nq'}.get(fmt, fmt) }"
    r = runner.invoke(cli, ["infer", str(cities), "--format", fmt, *flags, "-o", str(out)])
    assert r.exit_code == 0, r.output
    everything = _whole_inference(cities, False)
    inferred = _whole_inference(cities, True)
    assert out.read_bytes() == serialize(inferred if flags else everything, fmt)
    written = len(inferred) if flags else len(everything)
    assert f"wrote {out}: {written} triples ({len(inferred)} inferred, engine fast)" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def _break_third_graph(cities, dest, what):
    text = cities.read_text(encoding="utf-8")
    at = text.index("rdfs:label", text.index("c0003:graph {"))
    bad = {"syntax": 'rdfs:label "Oops ;; .\n', "term": "ssc:hasStakeholdr <https://example.org/x> ; rdfs:label"}[what]
    dest.write_text(text[:at] + bad + text[at + len("rdfs:label") :], encoding="utf-8")
    return dest, text[:at].count("\n") + 1


@pytest.mark.parametrize("command", ["analyze", "infer"])
@pytest.mark.parametrize("what", ["syntax", "term"])
def test_an_error_in_the_third_graph_leaves_no_output(runner, cli, cities, tmp_path, monkeypatch, command, what):
    monkeypatch.setenv("SSCRDF_BATCH_SIZE", "1")  # two batches are under way when the third graph is read
    monkeypatch.setenv("SSCRDF_WORKERS", "2")
    work = tmp_path / "work"
    work.mkdir()
    bad, line = _break_third_graph(cities, work / "bad.trig", what)
    out = work / ("out.json" if command == "analyze" else "out.trig")  # the format each writes by its extension
    out.write_text("the previous report\n", encoding="utf-8")
    args = (
        ["analyze", str(bad), "--as-of", AS_OF.isoformat(), "-o", str(out)]
        if command == "analyze"
        else ["infer", str(bad), "-o", str(out)]
    )
    r = runner.invoke(cli, args)
    assert r.exit_code == 2, r.output
    message = r.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in r.output
    if what == "syntax":
        assert message.startswith(f"error: {bad}:{line}:") and "syntax error in TriG" in message
    else:
        assert message.startswith(f"error: {bad}:{line}:") and "unknown term ssc:hasStakeholdr" in message
    assert out.read_text(encoding="utf-8") == "the previous report\n"  # untouched
    assert sorted(p.name for p in work.iterdir()) == sorted(["bad.trig", out.name])  # no temporary file or folder


def test_analyze_stream_gives_the_cities_batch_by_batch(cities, batches_of_5):
    kb = KnowledgeBase()
    streamed = list(kb.analyze_stream(cities, as_of=AS_OF))
    whole = _whole_analysis(cities).cities
    assert sorted((c.label, c.city) for c in streamed) == sorted((c.label, c.city) for c in whole)
    # the graphs come in city-number order (some graphs hold a second, fixture city); each batch sorted by label
    numbers = [int(c.city.split("/city/")[1][:4]) for c in streamed]
    batch = [(n - 1) // 5 for n in numbers]
    assert batch == sorted(batch) and sorted(set(numbers)) == list(range(1, 13))
    for i in (0, 1, 2):  # inside a batch: by label, then IRI
        block = [c for c, b in zip(streamed, batch, strict=True) if b == i]
        assert block == sorted(block, key=lambda c: (c.label.lower(), c.city))
    by_iri = {c.city: c for c in whole}
    for c in streamed:
        assert [e.message for e in c.entries] == [e.message for e in by_iri[c.city].entries]


def _double(x: int) -> int:
    return 2 * x


def test_map_stream_keeps_order_and_draws_items_as_results_are_taken(monkeypatch):
    monkeypatch.setenv("SSCRDF_WORKERS", "2")
    drawn = []

    def items():
        for i in range(20):
            drawn.append(i)
            yield i

    results = map_stream(items(), _double)
    first = next(results)
    assert first == 0
    assert len(drawn) <= 2 * 2 + 1  # never more than two items per worker ahead of the results taken
    assert [first, *results] == [2 * i for i in range(20)]
    assert len(drawn) == 20


def test_non_streamable_inputs(tmp_path):
    bom = tmp_path / "bom.trig"
    bom.write_bytes(b"\xef\xbb\xbf<https://e.org/s> <https://e.org/p> <https://e.org/o> .\n")
    assert not streamable([EXAMPLES / "riverton.ttl"])
    assert not streamable(["-"])
    assert not streamable([bom])
    assert not streamable([tmp_path / "missing.trig"])
    assert not streamable([])
    fifo = tmp_path / "pipe.trig"
    os.mkfifo(fifo)
    assert not streamable([fifo])  # answered without opening it (which would wait for a writer)
    assert not streamable([tmp_path])


def test_a_dataset_without_cities(runner, cli, tmp_path):
    data = tmp_path / "nocity.trig"
    data.write_text("<https://e.org/g> { <https://e.org/s> <https://e.org/p> <https://e.org/o> . }\n", encoding="utf-8")
    for fmt in ("json", "text", "md"):
        out = tmp_path / f"a.{fmt}"
        r = _analyze(runner, cli, data, out, fmt)
        assert r.exit_code == 0, r.output
        assert out.read_text(encoding="utf-8") == _in_memory(data, fmt)


def test_sigterm_during_the_batches_leaves_no_output_and_no_folder(cities, tmp_path):
    """SIGTERM while the workers run: exit 143, the temporary folder removed, the output untouched."""
    import signal
    import time

    work = tmp_path / "work"
    work.mkdir()
    out = work / "out.json"
    out.write_text("the previous report\n", encoding="utf-8")
    env = {**os.environ, "SSCRDF_BATCH_SIZE": "1", "SSCRDF_WORKERS": "2", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sscrdf.cli", "analyze", str(cities), "--as-of", "2026-11-21", "-o", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".sscrdf-") for p in work.iterdir()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        time.sleep(1.0)  # the workers have started
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()
    assert sorted(p.name for p in work.iterdir()) == ["out.json"]
    assert out.read_text(encoding="utf-8") == "the previous report\n"


def test_the_report_does_not_depend_on_the_batches_or_the_order_of_the_graphs(cities, tmp_path, monkeypatch):
    """The same cities give the same report bytes whatever the batch size and whatever order their graphs come
    in: lists joined in a query are sorted before they are joined, and every report query orders its rows
    completely (ties broken down to the IRIs)."""
    monkeypatch.setenv("SSCRDF_WORKERS", "2")
    kb = KnowledgeBase()
    reversed_graphs = tmp_path / "reversed.nq"
    store = ox.Store()
    store.load(path=str(cities), format=ox.RdfFormat.TRIG)
    quads = sorted(store, key=lambda q: (str(q.graph_name), str(q)), reverse=True)
    reversed_graphs.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    reports = []
    for size, path in (("1", cities), ("5", cities), ("12", cities), ("5", reversed_graphs)):
        monkeypatch.setenv("SSCRDF_BATCH_SIZE", size)
        out = tmp_path / f"report-{size}-{path.suffix[1:]}.json"
        kb.write_analysis(path, output=out, report_format="json", as_of=AS_OF)
        reports.append(out.read_bytes())
    assert len(reports[0]) > 10_000
    assert reports[1:] == [reports[0]] * 3
