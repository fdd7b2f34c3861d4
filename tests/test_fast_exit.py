"""The console script ends the process at once after a command (``sscrdf.cli._exit_at_once``): what the
command wrote must still arrive whole, with the same exit code, and the shortcut must not be taken while
another thread runs or when the exit code is a message."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import EXAMPLES, ROOT


def _sscrdf(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sscrdf.cli", *args], capture_output=True, env=env, timeout=120, check=False
    )


def test_piped_standard_output_arrives_whole(runner, cli):
    riverton = str(EXAMPLES / "riverton.ttl")
    done = _sscrdf("infer", riverton)
    expected = runner.invoke(cli, ["infer", riverton])
    assert (done.returncode, expected.exit_code) == (0, 0)
    assert done.stdout.decode() == expected.output  # all of it, flushed before the process ended
    assert len(done.stdout) > 100_000  # more than one pipe buffer


def test_output_file_and_exit_code_of_an_analysis(tmp_path, runner, cli):
    out, expected = tmp_path / "a.json", tmp_path / "expected.json"
    args = ["analyze", str(EXAMPLES / "riverton.ttl"), "--as-of", "2026-11-21", "--format", "json"]
    done = _sscrdf(*args, "-o", str(out))
    assert runner.invoke(cli, [*args, "-o", str(expected)]).exit_code == done.returncode == 0
    assert out.read_bytes() == expected.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_an_input_error_still_exits_2_with_one_line(tmp_path):
    done = _sscrdf("analyze", str(tmp_path / "missing.ttl"))
    assert done.returncode == 2
    assert done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "missing.ttl" in lines[0]


def _python(code: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60, check=False)


_PRELUDE = """
import sys, threading
from sscrdf.cli import _exit_at_once
assert "multiprocessing" not in sys.modules
sys.stdout.write("written before")
"""


def test_taken_when_nothing_else_runs():
    done = _python(_PRELUDE + "_exit_at_once(5)\nsys.exit(7)")
    assert (done.returncode, done.stdout) == (5, b"written before")


def test_not_taken_while_another_thread_runs():
    code = "stop = threading.Event()\nthreading.Thread(target=stop.wait).start()\n_exit_at_once(5)\nstop.set()\n"
    done = _python(_PRELUDE + code + "sys.exit(7)")
    assert (done.returncode, done.stdout) == (7, b"written before")


def test_not_taken_for_a_message():
    done = _python(_PRELUDE + "_exit_at_once('a message')\nsys.exit(7)")
    assert (done.returncode, done.stdout) == (7, b"written before")


def test_not_taken_once_worker_processes_were_possible():
    done = _python(_PRELUDE + "import multiprocessing\n_exit_at_once(5)\nsys.exit(7)")
    assert (done.returncode, done.stdout) == (7, b"written before")
