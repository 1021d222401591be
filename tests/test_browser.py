"""The rendered report opened in headless Chromium: no injected element in the DOM, headings present.

Chromium comes from Debian's `chromium` package (.ci/run installs it when missing); without it
this test skips and says why.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from test_report import XSS, tiny_store

from roi.report import render_report

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


class _Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_heading = tag in ("h1", "h2")
        if self._in_heading:
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2"):
            self._in_heading = False

    def handle_data(self, data):
        if self._in_heading:
            self.headings[-1] += data


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        pytest.skip("headless Chromium not installed (Debian package `chromium`; .ci/run installs it)")
    return exe


@pytest.mark.browser
def test_report_in_headless_chromium(tmp_path):
    exe = _chromium()
    store = tiny_store(tmp_path / "store")
    html = render_report(store, account="acme", week="2026-W47", tz="America/New_York", out=tmp_path / "reports")
    profile = tmp_path / "profile"
    url = html.as_uri()
    dom = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000",
                          "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    parsed = _Dom()
    parsed.feed(dom.stdout)
    scripts = [a for t, a in parsed.elements if t == "script"]
    injected_imgs = [a for t, a in parsed.elements if t == "img" and (a.get("src") == "x" or "onerror" in a)]
    assert not scripts and not injected_imgs
    assert not any(k.startswith("on") for _, a in parsed.elements for k in a), "an inline event handler exists"
    for heading in ["Weekly report", "Headline KPIs", "Data quality"]:
        assert any(heading in h for h in parsed.headings), f"missing heading {heading!r}: {parsed.headings}"
    for payload in XSS:  # the hostile text is there, as text
        assert payload.replace("<", "&lt;").replace(">", "&gt;") in dom.stdout or payload not in dom.stdout
    shot = tmp_path / "report.png"
    proc = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,2400",
                           f"--screenshot={shot}", url], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and shot.stat().st_size > 10_000
