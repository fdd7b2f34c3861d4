"""A worker process ends with the ``sscrdf analyze`` that started it, even when that process is killed outright
(SIGKILL gives it no chance to end its pool): the workers ask Linux for SIGTERM when their parent dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out |= {int(c) for c in (task / "children").read_text().split()}
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.parametrize("output", ["json", "ttl"])  # the streamed path and the whole-store path
def test_killing_analyze_ends_its_workers(tmp_path: Path, output: str) -> None:
    data = tmp_path / "cities.trig"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cities", "40", "--seed", "5", "-o", str(data)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "SSCRDF_BATCH_SIZE": "20", "SSCRDF_WORKERS": "2"}  # two batches of a few seconds
    proc = subprocess.Popen(
        [sys.executable, "-m", "sscrdf.cli", "-q", "analyze", str(data), "--format", output, "-o", str(tmp_path / "r")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the analysis did not start its workers"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # a worker busy with its batch (seconds of work) is told at once, not when the batch is done
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.02)
        assert not any(_alive(w) for w in workers)
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in _children(proc.pid):
            os.kill(w, signal.SIGKILL)
