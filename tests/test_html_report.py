"""The HTML report: self-contained, and checked in a real headless Chromium (console, network, drawing, A4)."""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ["riverton", "lakeside"]
CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from click.testing import CliRunner

    from sscrdf.cli import cli

    out = {}
    d = tmp_path_factory.mktemp("html")
    for name in EXAMPLES:
        path = d / f"{name}.html"
        r = CliRunner().invoke(
            cli,
            [
                "analyze",
                str(ROOT / "examples" / f"{name}.ttl"),
                "--format",
                "html",
                "-o",
                str(path),
                "--as-of",
                "2026-11-01",
            ],
        )
        assert r.exit_code == 0, r.output
        out[name] = path
    both = d / "both.html"
    r = CliRunner().invoke(
        cli,
        [
            "analyze",
            *(str(ROOT / "examples" / f"{n}.ttl") for n in EXAMPLES),
            "--format",
            "html",
            "-o",
            str(both),
            "--as-of",
            "2026-11-01",
        ],
    )
    assert r.exit_code == 0, r.output
    out["both"] = both
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_report_is_self_contained_and_labelled(reports, name):
    text = reports[name].read_text(encoding="utf-8")
    refs = set(re.findall(r"""(?:src|href)\s*=\s*["']([^"'#][^"']*)""", text))
    assert refs == set(), refs  # no external script, style, font or image
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text)) - {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }
    assert urls == set()
    assert "@import" not in text and not re.findall(r"url\((?!#)", text)  # only in-page references
    assert text.count("<svg") >= 5 and text.count("<desc id=") == text.count("<svg")
    for heading in (
        "Power/interest grid",
        "Onion diagram",
        "Stakeholder interaction map",
        "Current and desired engagement",
        "Completeness by category",
        "Engagement plan",
        "Findings",
    ):
        assert f"<h3>{heading}" in text
    assert "ManageClosely" not in text and "ssc:" not in text.replace("(ssc:EngagementPlan)", "")
    assert "@media print" in text and "break-before:page" in text


def test_many_cities_get_an_index_and_portal_overview(reports):
    text = reports["both"].read_text(encoding="utf-8")
    assert '<a href="#portal">Portal overview</a>' in text
    assert 'href="#city-0"' in text and 'href="#city-1"' in text
    for h in ("Cities by completeness", "Most-missing categories", "Resistant or unaware high-power stakeholders"):
        assert f"<h3>{h}" in text


def test_html_engagement_plan_is_a_dated_table(reports):
    text = reports["riverton"].read_text(encoding="utf-8")
    plan = re.search(r'<table class="plan">(.*?)</table>', text, re.S)
    assert plan, "the riverton example has an engagement plan"
    assert re.search(r"<td>\d{4}-\d{2}-\d{2}</td>", plan.group(1))


# ------------------------------------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Browser:
    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={tmp / 'profile'}",
                f"--remote-debugging-port={self.port}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-allow-origins=*",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import urllib.request

        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list") as r:
                    pages = [p for p in json.load(r) if p["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            self.close()
            raise RuntimeError("chromium did not start")
        import websocket

        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        self.n = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                assert "error" not in msg, msg
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self.events.append(json.loads(self.ws.recv()))

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # the browser may already be gone
            pass
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    b = _Browser(tmp_path)
    yield b
    b.close()


def _open(b: _Browser, path: Path) -> None:
    for domain in ("Page", "Runtime", "Log", "Network"):
        b.call(f"{domain}.enable")
    b.call("Emulation.setDeviceMetricsOverride", width=1000, height=1400, deviceScaleFactor=1, mobile=False)
    b.call("Page.navigate", url=path.as_uri())
    b.wait_for("Page.loadEventFired")


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_report_renders_without_console_error_or_network_request(browser, reports, name):
    _open(browser, reports[name])
    res = browser.call("Runtime.evaluate", expression="document.querySelectorAll('svg').length", returnByValue=True)
    assert res["result"]["value"] >= 5
    # the filter works: typing hides rows
    expr = (
        "(function(){var i=document.querySelector('input.filter');var t=document.getElementById(i.dataset.table);"
        "var n=t.tBodies[0].rows.length;i.value='zzzz-nothing';i.dispatchEvent(new Event('input'));"
        "var shown=Array.prototype.filter.call(t.tBodies[0].rows,function(r){return r.style.display!=='none'}).length;"
        "return [n, shown];})()"
    )
    total, shown = browser.call("Runtime.evaluate", expression=expr, returnByValue=True)["result"]["value"]
    assert total > 0 and shown == 0
    errors = [
        e
        for e in browser.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert all(u.startswith("file://") for u in requests) and len(requests) == 1, requests


def _box(b: _Browser, selector: str) -> dict:
    expr = (
        f"(function(){{var e=document.querySelectorAll('figure.chart svg')[{selector}];e.scrollIntoView();"
        "var r=e.getBoundingClientRect();return {x:r.x+window.scrollX,y:r.y+window.scrollY,w:r.width,h:r.height};})()"
    )
    return b.call("Runtime.evaluate", expression=expr, returnByValue=True)["result"]["value"]


@pytest.mark.slow
def test_screenshot_shows_grid_and_onion(browser, reports):
    import base64

    from PIL import Image

    _open(browser, reports["riverton"])
    for index, name in ((0, "grid"), (1, "onion")):
        box = _box(browser, str(index))
        assert box["w"] > 300 and box["h"] > 300, (name, box)
        shot = browser.call(
            "Page.captureScreenshot",
            format="png",
            clip={"x": box["x"], "y": box["y"], "width": box["w"], "height": box["h"], "scale": 1},
        )
        img = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
        w, h = img.size
        # each quadrant of the grid and the middle and rim of the onion are drawn (not blank page colour)
        for fx, fy in ((0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7), (0.5, 0.5)):
            region = img.crop((int(w * fx) - 20, int(h * fy) - 20, int(w * fx) + 20, int(h * fy) + 20))
            colours = region.getcolors(maxcolors=10000) or [(1, (0, 0, 0))] * 2
            assert not (len(colours) == 1 and colours[0][1] == (255, 255, 255)), (name, fx, fy)
            if name == "onion":
                r, g, b = region.resize((1, 1)).getpixel((0, 0))
                assert (r, g, b) != (255, 255, 255)
        if name == "grid":  # four tinted quadrants: colour differs between top-left and top-right
            assert img.getpixel((int(w * 0.3), int(h * 0.12))) != img.getpixel((int(w * 0.7), int(h * 0.12)))


@pytest.mark.slow
def test_print_view_is_a4(browser, reports, tmp_path):
    import base64

    _open(browser, reports["riverton"])
    pdf = base64.b64decode(browser.call("Page.printToPDF", preferCSSPageSize=True)["data"])
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    for w, h in boxes:  # A4 = 595.28 x 841.89 pt
        assert abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5, (w, h)
    assert len(boxes) >= 3  # the sections break onto pages of their own
