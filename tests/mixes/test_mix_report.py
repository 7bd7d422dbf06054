"""The HTML report: self-contained, its plots, and rendered by headless Chromium."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess

import numpy as np
import polars as pl
import pytest
from matplotlib.image import imread

from datamill.mixes import report
from datamill.pipeline import cli

PLOTS = ["funnel", "drop-reasons", "lang", "license", "clusters", "composition"]
CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
)


@pytest.fixture(scope="module")
def report_file(mix_run, mix_export, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert cli.main(["report", str(mix_run), "--export", str(mix_export), "--out", str(out)]) == 0
    return out


def test_report_is_self_contained_with_every_plot(report_file):
    page = report_file.read_text(encoding="utf-8")
    figures = re.findall(
        r'<figure class="plot" id="plot-([a-z-]+)"><img alt="[^"]*" src="data:image/png;base64,([^"]+)"', page
    )
    assert [key for key, _ in figures] == PLOTS
    for _, data in figures:
        assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
    # no quality stage in the session's run: a note instead of an empty plot
    assert '<div class="empty" id="plot-quality">no stage in this run has filled `quality` yet</div>' in page
    assert not re.search(r'(src|href)="(?!data:)', page)  # nothing loaded from outside the file
    assert "<td>mixrun</td>" in page and "<td>notes</td>" in page
    assert re.search(r"<h3>Licences</h3><table><tr><th>CC-BY-4.0</th><td>\d+ docs, \d+ tokens</td>", page)


def _chromium(*args: str, profile) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-extensions",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)")
def test_report_renders_in_headless_chromium(report_file, tmp_path):
    dom = _chromium("--dump-dom", report_file.as_uri(), profile=tmp_path / "profile-dom").stdout
    assert f'data-plots-rendered="{len(PLOTS)}"' in dom  # the page's script saw every image decoded
    assert dom.count('data-rendered="yes"') == len(PLOTS) and 'data-rendered="no"' not in dom
    shot = tmp_path / "shot.png"
    _chromium(
        "--hide-scrollbars",
        "--window-size=1100,1800",
        f"--screenshot={shot}",
        report_file.as_uri(),
        profile=tmp_path / "profile-shot",
    )
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (1800, 1100)
    coloured = np.abs(pixels - pixels.mean(axis=2, keepdims=True)).max(axis=2) > 0.15
    assert coloured.mean() > 0.02  # the coloured bars of the plots are on screen, not a blank page


def test_plots_light_up_once_stages_fill_their_columns():
    kept = pl.DataFrame(
        {
            "lang": ["en", "en", "zh", "zh", "zh", None],
            "license": [None] * 6,
            "quality": [0.1, 0.9, 0.5, 0.7, None, 0.3],
            "dup_cluster": ["a", "b", "c", "d", "e", "f"],
        },
        schema_overrides={"license": pl.String, "quality": pl.Float32},
    )
    rejected = pl.DataFrame({"dup_cluster": ["a", "a", "c"]})
    assert report.category_mix(kept, "license") is None
    langs = report.category_mix(kept, "lang").axes[0]
    assert [t.get_text() for t in langs.get_yticklabels()] == ["(not set)", "en", "zh"]
    quality = report.quality_by_lang(kept)
    assert sorted(ax.get_title() for ax in quality.axes) == [
        "(not set) (1 docs)",
        "en (2 docs)",
        "zh (2 docs)",
    ]
    clusters = report.cluster_sizes(kept, rejected).axes[0]
    assert clusters.get_title() == "6 clusters, 2 with duplicates"
    assert [p.get_height() for p in clusters.patches] == [4, 1, 1]  # sizes 1, 2 and 3
