"""The rendered report opened in headless Chromium, as a manager would open it.

* the tiny hostile store: no injected element in the DOM, user text shown as text;
* the sample brand at 1280 px and at a 390 px phone: no horizontal overflow of the page, the
  KPI cards and the five-sentence summary above the fold, every image with real alt text, no
  raw values (``<NA>``, ``NaN``, ``True``/``False``, ``1e-05``) anywhere in the text, headings in order.

Chromium comes from Debian's `chromium` package (.ci/run installs it when missing); without it
these tests skip and say why. The page forbids scripts (CSP), so the measurements run in a
wrapper page that loads the report in a same-size iframe (``--allow-file-access-from-files``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from test_report import XSS, tiny_store

from roi.report import render_report

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]

# Runs in the wrapper page; writes its measurements of the framed report into <pre id="out">.
MEASURE = """
<!doctype html><html><head><style>html,body{margin:0;padding:0}iframe{border:0;width:WIDTHpx;height:HEIGHTpx;display:block}
</style></head><body><iframe id="r" src="REPORT"></iframe><pre id="out">pending</pre><script>
document.getElementById('r').addEventListener('load', () => {
  const f = document.getElementById('r'), d = f.contentDocument, w = f.contentWindow;
  const top = (sel) => { const e = d.querySelector(sel); return e ? e.getBoundingClientRect().top : null; };
  const hs = [...d.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
  const wide = [...d.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > w.innerWidth + 1
      && !e.closest('.roi-scroll, .roi-figure')).map(e => e.tagName + '.' + e.className).slice(0, 5);
  document.getElementById('out').textContent = JSON.stringify({
    viewport: w.innerWidth, height: w.innerHeight, scrollWidth: d.documentElement.scrollWidth, wide,
    cards: top('.roi-cards'), summary: top('#summary'), summaryEnd: top('.roi-findings li:last-child'),
    imgs: [...d.images].map(i => i.alt), headings: hs, text: d.body.textContent,
    frames: [...d.querySelectorAll('.roi-scroll')].map(s => getComputedStyle(s).borderTopStyle)});
});
</script></body></html>
"""


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


def measure(exe: str, html, tmp_path, *, width: int, height: int) -> dict:
    """Open ``html`` in a ``width`` × ``height`` frame and return the wrapper's measurements.

    The frame, not the window, sets the size: headless Chromium will not make a window narrower
    than 500 px.
    """
    wrapper = html.parent / f".measure-{width}.html"
    page = MEASURE.replace("REPORT", html.name).replace("WIDTH", str(width)).replace("HEIGHT", str(height))
    wrapper.write_text(page, encoding="utf-8")
    try:
        proc = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / f'profile-{width}'}",
                               "--allow-file-access-from-files", f"--window-size={max(width, 800)},{height + 100}",
                               "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()],
                              capture_output=True, text=True, timeout=120)
    finally:
        wrapper.unlink()
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = re.search(r'<pre id="out">(.*?)</pre>', proc.stdout, re.S)
    assert found and found.group(1) != "pending", "the measurement did not run"
    import html as html_module

    return json.loads(html_module.unescape(found.group(1)))


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
    for heading in ["Weekly report: @acme", "This week in five sentences", "Next week", "Data quality"]:
        assert any(heading in h for h in parsed.headings), f"missing heading {heading!r}: {parsed.headings}"
    for payload in XSS:  # the hostile text is there, as text
        assert payload.replace("<", "&lt;").replace(">", "&gt;") in dom.stdout or payload not in dom.stdout


@pytest.fixture(scope="module")
def sample_report(sample_store, sample_truth, tmp_path_factory):
    brand = sample_truth["brand"]
    return render_report(sample_store, account=brand["handle"], week=sample_truth["weeks"]["last"], tz=brand["tz"],
                         home_country=brand["home_country"], brand_domain=brand["domain"],
                         service_handles=brand["custserv_handle"], out=tmp_path_factory.mktemp("reports"))


RAW = re.compile(r"<NA>|\bNaN\b|\bnan\b|\bTrue\b|\bFalse\b|\bNone\b|\d[eE][-+]0\d|No description has been provided")


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_manager_view_at_desktop_and_phone_width(sample_report, tmp_path, width, height):
    exe = _chromium()
    m = measure(exe, sample_report, tmp_path, width=width, height=height)
    assert m["scrollWidth"] <= m["viewport"] + 1, f"the page scrolls sideways: {m['scrollWidth']} > {m['viewport']}: {m['wide']}"
    assert not m["wide"], f"elements run off the page: {m['wide']}"
    assert m["cards"] is not None and m["cards"] < m["height"], "the KPI cards are below the fold"
    assert m["summary"] is not None and m["summary"] < m["height"], "the summary is below the fold"
    if width >= 1000:  # on a desktop the five sentences themselves are on the first screen
        assert m["summaryEnd"] < m["height"] * 1.25
    assert m["imgs"] and all(len(alt) > 40 for alt in m["imgs"]), m["imgs"]
    raw = RAW.findall(m["text"])
    assert not raw, f"raw values in the page: {sorted(set(raw))}"
    # the return-on-influence section, with the planted comparison in words, fits the width too
    assert "Return on influence" in m["text"] and "converts worse than email" in m["text"]
    levels = m["headings"]
    steps = [b - a for a, b in zip(levels, levels[1:], strict=False)]
    assert levels[0] == 1 and max(steps) <= 1, f"headings skip a level: {levels}"
    assert m["frames"] and all(style == "solid" for style in m["frames"]), "a table has no visible frame"
