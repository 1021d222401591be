"""The weekly report: parameter validation, path safety, offline HTML, escaping of user text."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.report import prepare, render_report, safe_output_dir
from roi.store import Store
from roi.tables import conform

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


def tiny_store(path):
    """A hand-made store: the brand, two followers (one with a hostile name), hostile posts in 2026-W47."""
    t = pd.Timestamp
    store = Store(path, create=True)
    store.write({
        "accounts": conform("accounts", {
            "platform": ["x"] * 3, "account_id": ["1", "2", "3"], "handle": ["acme", "eve", "bob"],
            "display_name": ["Acme", XSS[1], "Bob"], "description": ["", XSS[0], ""],
            "location": ["New York", XSS[0], "London"], "followers_count": [5000, 10, 300],
            "following_count": [10, 20, 30], "posts_count": [100, 1, 5],
            "observed_at": [t("2026-11-22T00:00Z")] * 3,
        }),
        "follows": conform("follows", {
            "platform": ["x", "x"], "follower_id": ["2", "3"], "followee_id": ["1", "1"],
            "first_seen": [t("2026-11-09T00:00Z"), t("2026-11-16T00:00Z")],
            "last_seen": [t("2026-11-23T00:00Z")] * 2,
        }),
        "posts": conform("posts", {
            "platform": ["x"] * 4, "post_id": ["10", "11", "12", "13"], "author_id": ["1", "2", "2", "1"],
            "created_at": [t("2026-11-17T14:00Z"), t("2026-11-18T15:00Z"), t("2026-11-19T16:00Z"),
                           t("2026-11-10T14:00Z")],
            "text": ["Hello #acme, you said: " + XSS[0], XSS[0] + " @acme broken", XSS[1] + " #acme", "last week"],
            "kind": ["original", "original", "original", "original"],
            "hashtags": [["acme"], [], ["acme", XSS[1]], []], "mentions": [[], ["acme"], [], []], "urls": [[], [], [], []],
            "impressions": [1000, None, None, 800], "likes": [10, 1, 0, 5], "reposts": [2, 0, 0, 1],
            "replies": [1, 0, 0, 0], "quotes": [0, 0, 0, 0], "link_clicks": [5, None, None, 2],
        }),
    }, sources=[{"path": "/data/raw/tiny.jsonl", "format": "x-v2", "read": 4, "ingested": 4,
                 "duplicates": 0, "rejected": 0}])
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_store(tmp_path_factory.mktemp("tiny") / "store")


@pytest.fixture(scope="module")
def rendered(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return render_report(tiny, account="acme", week="2026-W47", tz="America/New_York", out=out)


@pytest.mark.parametrize("week", ["2026-47", "W47", "2026-W60", "../../x", "2026-W47/../../x"])
def test_malformed_week_is_a_parameter_error(tiny, week):
    with pytest.raises(ParameterError, match="week="):
        prepare(tiny, account="acme", week=week)


def test_unknown_account(tiny):
    with pytest.raises(ParameterError, match="not found"):
        prepare(tiny, account="nobody", week="2026-W47")


def test_bad_time_zone(tiny):
    with pytest.raises(ParameterError, match="tz="):
        prepare(tiny, account="acme", week="2026-W47", tz="Mars/Olympus")


@pytest.mark.parametrize("account", ["../../x", "acme/../..", "/etc", "a b", ""])
def test_account_cannot_escape_the_output_folder(tmp_path, account):
    with pytest.raises(ParameterError):
        safe_output_dir(tmp_path, account, "2026-W47")


def test_cli_refuses_traversal_with_one_line_and_exit_2(tiny, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "roi", "report", "--store", str(tiny), "--account", "../../x",
                           "--week", "2026-W47", "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--account '../../x'" in proc.stderr and "Traceback" not in proc.stderr
    assert not any(tmp_path.iterdir())


def test_report_writes_notebook_html_and_figures(rendered):
    folder = rendered.parent
    assert folder.name == "2026-W47" and folder.parent.name == "acme"
    assert (folder / "report.ipynb").exists() and rendered.name == "report.html"
    executed = nbformat.read(folder / "report.ipynb", as_version=4)
    params = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'week = "2026-W47"' in params.source


def test_html_shows_no_code_and_loads_nothing_from_the_network(rendered):
    html = rendered.read_text(encoding="utf-8")
    assert "roi.report.prepare" not in html  # no code cells
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", html, re.I)
    assert "<script" not in html.lower()


def test_user_text_is_escaped(rendered):
    html = rendered.read_text(encoding="utf-8")
    for payload in XSS:
        assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&amp;lt;script" in html


def test_week_without_data_renders_a_short_report(tiny, tmp_path):
    html = render_report(tiny, account="acme", week="2025-W10", tz="UTC", out=tmp_path)
    assert "no data for this week" in html.read_text(encoding="utf-8")


def test_default_week_is_the_last_week_the_data_fully_covers(tmp_path):
    from types import SimpleNamespace

    from roi.report.context import default_week

    posts = conform("posts", {"platform": ["x", "x"], "post_id": ["1", "2"],
                              "created_at": ["2026-11-18T10:00Z", "2026-11-22T20:00Z"]})
    # posts up to Sunday evening, nothing observed later: W47 may still be missing posts
    assert default_week(SimpleNamespace(posts=posts), tz="UTC") == "2026-W46"
    # the export was collected on Monday morning: W47 is complete
    observed = posts.assign(metrics_observed_at=pd.Timestamp("2026-11-23T06:15Z"))
    assert default_week(SimpleNamespace(posts=observed), tz="UTC") == "2026-W47"


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "roi", "report", "--no-progress", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", ["out_is_a_file", "notebook_missing", "notebook_not_json", "unknown_account"])
def test_cli_validates_everything_before_running(tiny, tmp_path, case):
    out = tmp_path / "reports"
    args = ["--store", tiny, "--account", "acme", "--week", "2026-W47", "--out", out]
    if case == "out_is_a_file":
        out.write_text("not a folder")
    elif case == "notebook_missing":
        args += ["--notebook", tmp_path / "nope.ipynb"]
    elif case == "notebook_not_json":
        bad = tmp_path / "bad.ipynb"
        bad.write_text("{ this is not json")
        args += ["--notebook", bad]
    else:
        args[3] = "nobody"
    proc = _cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not (out.is_dir() and any(out.iterdir())), "an output folder was left behind"


def test_unknown_account_fails_before_the_kernel_starts(tiny, tmp_path, monkeypatch):
    import papermill

    def started(*args, **kwargs):
        raise AssertionError("the kernel was started")

    monkeypatch.setattr(papermill, "execute_notebook", started)
    with pytest.raises(ParameterError, match="nobody"):
        render_report(tiny, account="nobody", week="2026-W47", out=tmp_path / "reports")
    assert not (tmp_path / "reports").exists()


def test_warnings_become_sentences_not_paths():
    import warnings
    from types import SimpleNamespace

    from roi.report import Section, show

    def noisy(ctx):
        warnings.warn_explicit("Maximum Likelihood optimization failed to converge. Check mle_retvals",
                               RuntimeWarning, "/usr/lib/python3/site-packages/statsmodels/base/model.py", 607)
        return Section(title="Best time")

    ctx = SimpleNamespace(warnings=[])
    show(noisy, ctx)
    assert len(ctx.warnings) == 1
    sentence = ctx.warnings[0]
    assert sentence.startswith("While computing “Best time”") and "converge" in sentence
    assert "/usr/lib" not in sentence and ".py" not in sentence and "_fit_irls" not in sentence


def test_rendered_html_has_no_stderr_or_source_lines(rendered):
    html = rendered.read_text(encoding="utf-8")
    assert "site-packages" not in html and "Warning:" not in html and "return self." not in html
    assert "jp-RenderedText" not in html or 'data-mime-type="application/vnd.jupyter.stderr"' not in html


def test_pdf_without_chromium_is_one_clear_line_before_anything_runs(tiny, tmp_path, monkeypatch):
    import roi.report.render as render

    monkeypatch.setattr(render, "find_chromium", lambda: None)
    with pytest.raises(ParameterError, match="--pdf needs headless Chromium"):
        render_report(tiny, account="acme", week="2026-W47", out=tmp_path / "reports", pdf=True)
    assert not (tmp_path / "reports").exists()


@pytest.mark.browser
def test_pdf_is_printed_with_the_print_stylesheet(rendered):
    from roi.report.render import find_chromium, write_pdf

    if find_chromium() is None:
        pytest.skip("headless Chromium not installed (Debian package `chromium`)")
    pdf = write_pdf(rendered)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.count(b"/Type /Page") >= 1
    assert not (rendered.parent / ".chromium-profile").exists()


def test_the_report_notebook_is_clean_thin_and_ships_in_the_package():
    import ast

    from roi.report import default_notebook

    path = default_notebook()
    assert path.parent.name == "report" and path.parent.parent.name == "roi"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "committed with outputs"
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for node in ast.parse(params[0].source).body:  # literals only: nothing derived in the parameters cell
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.dump(node)
    for cell in code:
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda) for n in ast.walk(tree))


def test_a_part_that_fails_on_odd_data_is_one_sentence_not_a_failed_report():
    from types import SimpleNamespace

    from roi.report import show

    def broken(ctx):
        raise ValueError("max() arg is an empty sequence")

    ctx = SimpleNamespace(warnings=[])
    show(broken, ctx)
    assert ctx.warnings == ["The broken part could not be computed from this store (ValueError: max() arg is an "
                            "empty sequence); the rest of the report is unaffected."]


def test_every_section_runs_on_a_real_x_archive_without_raw_values(realdata, tmp_path, monkeypatch):
    """A real 'Download your data' archive (no views, no web analytics, one follower list): the report
    says what it cannot know instead of failing or printing <NA>."""
    import IPython.display

    from roi.io import ingest
    from roi.report import sections, show

    store = tmp_path / "store"
    ingest([realdata / "x-archive"], store)
    handle = __import__("roi").load(store).accounts["handle"].iloc[0]
    ctx = prepare(store, account=handle, tz="Europe/Berlin")
    pages = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: pages.append(obj.data))
    for name in ("opening", "trends", "top_posts", "listening", "best_time", "effects", "experiments",
                 "new_followers", "geo_spread", "content_mix", "spam", "data_quality", "ledger"):
        show(getattr(sections, name), ctx)
    html = "\n".join(pages)
    assert len(pages) == 13 and f"@{handle}" in html
    assert "No web analytics in the store" in html  # the ledger says what it cannot know
    assert not re.search(r"&lt;NA&gt;|<NA>|\bNaN\b|\bnan\b|\bTrue\b|\bFalse\b|\d[eE]-0\d", re.sub(r"<[^>]+>", " ", html))
    assert "too little data to say" in html  # no views: no engagement findings are invented
