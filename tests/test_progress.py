"""--quiet, --verbose, standard input and the progress bar on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAKESIDE = ROOT / "examples" / "lakeside.ttl"


def _run(args, *, stdin=None, tty=False):
    """(exit code, standard output, standard error) of one command: in this process (click's CliRunner, whose
    streams are no terminal) unless ``tty``; with ``tty`` in a process of its own, standard error on a
    pseudo-terminal."""
    if not tty:
        from click.testing import CliRunner

        from sscrdf.cli import cli

        res = CliRunner().invoke(cli, args, input=stdin)
        # an exception inside the command would also give exit code 1: only click's own exit is an exit code
        assert res.exception is None or isinstance(res.exception, SystemExit), res.output
        return res.exit_code, res.stdout, res.stderr
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "sscrdf.cli", *args], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    out = p.stdout.read()
    rc = p.wait(timeout=300)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return rc, out.decode(), b"".join(chunks).decode(errors="replace")


def test_standard_input(tmp_path):
    rc, out, err = _run(["validate", "-"], stdin=LAKESIDE.read_bytes())
    assert rc in (0, 1), err
    assert "1 graph(s) validated" in out


def test_quiet_and_verbose(tmp_path):
    rc, _, err = _run(["export", str(LAKESIDE), "-o", str(tmp_path / "r.xlsx")])
    assert rc == 0 and "wrote" in err
    rc, _, err = _run(["-q", "export", str(LAKESIDE), "-o", str(tmp_path / "r2.xlsx")])
    assert rc == 0 and err == ""
    rc, _, err = _run(["-v", "analyze", str(LAKESIDE), "-o", str(tmp_path / "a.txt")])
    assert rc == 0
    assert [line.split(":")[0] for line in err.splitlines()] == ["reasoning", "validation", "rules", "queries"]


def test_no_progress_bar_off_a_terminal_or_with_quiet(tmp_path):
    files = [str(LAKESIDE), str(ROOT / "examples" / "riverton.ttl")]
    _, _, err = _run(["validate", *files])
    assert "loading" not in err
    _, _, err = _run(["-q", "validate", *files], tty=True)
    assert "loading" not in err


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run the sscrdf CLI with standard error on a real pseudo-terminal (100 columns) and return what it showed."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "sscrdf.cli", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        close_fds=True,
        env={**os.environ, **env},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return proc.wait(timeout=120), shown.decode("utf-8", "replace")


def test_progress_bar_is_drawn_on_a_terminal_and_not_with_quiet(tmp_path):
    from .conftest import EXAMPLES

    files = [str(EXAMPLES / "riverton.ttl"), str(EXAMPLES / "lakeside.ttl")]
    out = tmp_path / "a.json"
    code, shown = _run_on_a_terminal(
        ["analyze", *files, "--format", "json", "-o", str(out), "--as-of", "2026-11-21"], {"SSCRDF_BATCH_SIZE": "1"}
    )
    assert code == 0, shown
    assert "loading:" in shown and "%|" in shown and "/2 [" in shown  # a bar over the two files, on the terminal
    code, shown = _run_on_a_terminal(
        ["-q", "analyze", *files, "--format", "json", "-o", str(out), "--as-of", "2026-11-21"],
        {"SSCRDF_BATCH_SIZE": "1"},
    )
    assert code == 0 and "%|" not in shown
