"""`datamill report RUN_DIR`: one self-contained HTML file (plots inlined as base64 PNG).

Plots: the funnel per stage and drop reasons (from run.json) with every stage's counters (PII
spans redacted per type, decontamination per benchmark), language and licence mix,
quality histograms per language and near-dup cluster sizes (from the rows), and, given an
export, its composition against the targets. A plot whose column no stage has filled yet
(all null) becomes a short note instead, and appears once a stage fills the column.
"""

from __future__ import annotations

import base64
import html
import io
import json
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

ROW_COLUMNS = ["source", "lang", "license", "quality", "dup_cluster", "tdm_opt_out"]
MAX_BARS = 25
MAX_LANGS = 6

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; padding: 0 1.5em; max-width: 1100px; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { padding: 2px 10px; text-align: left; }
tr:nth-child(even) { background: #f6f6f6; } figure { margin: 1em 0; } img { max-width: 100%; }
.empty { color: #777; font-style: italic; padding: 1em; border: 1px dashed #ccc; }
"""
# Marks each plot once the browser has decoded it: lets a headless browser test check rendering.
SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('figure.plot img'), ok = 0;
  imgs.forEach(function (img) {
    var good = img.complete && img.naturalWidth > 0;
    img.parentElement.setAttribute('data-rendered', good ? 'yes' : 'no');
    if (good) { ok += 1; }
  });
  document.body.setAttribute('data-plots-rendered', String(ok));
});
"""


def _figure(height: float = 3.6) -> Figure:
    fig = Figure(figsize=(9, height), dpi=90, layout="constrained")
    return fig


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the installed fonts
        fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plot_html(key: str, title: str, fig: Figure | None, empty_note: str) -> str:
    head = f"<h2>{html.escape(title)}</h2>"
    if fig is None:
        return f'{head}<div class="empty" id="plot-{key}">{html.escape(empty_note)}</div>'
    return (
        f'{head}<figure class="plot" id="plot-{key}"><img alt="{html.escape(title)}" '
        f'src="data:image/png;base64,{_png(fig)}"></figure>'
    )


def _barh(counts: list[tuple[str, float]], xlabel: str) -> Figure:
    counts = counts[:MAX_BARS]
    fig = _figure(max(2.0, 0.3 * len(counts) + 1))
    ax = fig.add_subplot()
    labels = [label for label, _ in counts][::-1]
    ax.barh(labels, [value for _, value in counts][::-1], color="#4477aa")
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


# -- data --------------------------------------------------------------------------------------


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if not p.name.startswith((".", "_")))


def _rows(run_dir: Path, state: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Kept rows and rejected rows (with `drop_stage`), only the columns the plots use."""
    schema = {
        "source": pl.String,
        "lang": pl.String,
        "license": pl.String,
        "quality": pl.Float32,
        "dup_cluster": pl.String,
        "tdm_opt_out": pl.Boolean,
    }
    kept_files = _files(run_dir / state.get("output", "missing"), "*.parquet")
    kept = pl.read_parquet(kept_files, columns=ROW_COLUMNS) if kept_files else pl.DataFrame(schema=schema)
    rejected_files = _files(run_dir / "rejected", "*/*.parquet")
    if rejected_files:
        rejected = pl.read_parquet(rejected_files, columns=[*ROW_COLUMNS, "drop_stage"])
    else:
        rejected = pl.DataFrame(schema={**schema, "drop_stage": pl.String})
    return kept, rejected


def _stage_stats(state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, stats) for seg in state.get("segments", []) for name, stats in seg.get("stats", {}).items()
    ]


# -- plots -------------------------------------------------------------------------------------


def funnel(state: dict[str, Any]) -> Figure | None:
    stages = _stage_stats(state)
    if not stages:
        return None
    fig = _figure(max(2.5, 0.45 * len(stages) + 1))
    ax = fig.add_subplot()
    names = [name for name, _ in stages][::-1]
    ax.barh(names, [s["docs_in"] for _, s in stages][::-1], color="#cccccc", label="documents in")
    ax.barh(names, [s["kept"] for _, s in stages][::-1], color="#228833", label="kept")
    for y, (_, s) in enumerate(stages[::-1]):
        ax.text(s["docs_in"], y, f" {s['kept']}/{s['docs_in']}", va="center", fontsize=8)
    ax.set_xlabel("documents")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    return fig


def drop_reasons(state: dict[str, Any]) -> Figure | None:
    reasons: Counter[str] = Counter()
    for _, stats in _stage_stats(state):
        reasons.update(stats.get("rejected_by_reason", {}))
    return _barh(reasons.most_common(), "rejected documents") if reasons else None


def category_mix(kept: pl.DataFrame, column: str) -> Figure | None:
    if kept[column].null_count() == kept.height:
        return None
    counts = kept.group_by(pl.col(column).fill_null("(not set)")).len().sort("len", descending=True)
    return _barh([(str(k), n) for k, n in counts.iter_rows()], "kept documents")


def quality_by_lang(kept: pl.DataFrame) -> Figure | None:
    scored = kept.filter(pl.col("quality").is_not_null()).with_columns(pl.col("lang").fill_null("(not set)"))
    if not scored.height:
        return None
    langs = scored.group_by("lang").len().sort("len", descending=True)["lang"].head(MAX_LANGS).to_list()
    fig = _figure(2.4 * ((len(langs) + 1) // 2) + 0.5)
    for i, lang in enumerate(langs, start=1):
        ax = fig.add_subplot((len(langs) + 1) // 2, 2 if len(langs) > 1 else 1, i)
        values = scored.filter(pl.col("lang") == lang)["quality"].to_numpy()
        ax.hist(values, bins=20, color="#aa3377")
        ax.set_title(f"{lang} ({len(values)} docs)", fontsize=9)
        ax.set_xlabel("quality score", fontsize=8)
    return fig


def cluster_sizes(kept: pl.DataFrame, rejected: pl.DataFrame) -> Figure | None:
    members = pl.concat([kept.select("dup_cluster"), rejected.select("dup_cluster")]).drop_nulls()
    if not members.height:
        return None
    sizes = members.group_by("dup_cluster").len()["len"]
    hist = sizes.value_counts().sort("len")
    fig = _figure(3.2)
    ax = fig.add_subplot()
    ax.bar([str(s) for s in hist["len"]], hist["count"], color="#ee7733")
    if hist["count"].max() > 50 * hist["count"].min():
        ax.set_yscale("log")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("cluster size (documents)")
    ax.set_ylabel("clusters")
    multi = int((sizes > 1).sum())
    ax.set_title(f"{sizes.len()} clusters, {multi} with duplicates", fontsize=9)
    return fig


def composition(manifest: dict[str, Any]) -> Figure:
    comps = manifest["components"]
    total = sum(c["target_tokens"] for c in comps) or 1
    names = [c["name"] for c in comps]
    target = [c["target_tokens"] / total for c in comps]
    actual = [c["actual_weight"] for c in comps]
    fig = _figure(3.2)
    ax = fig.add_subplot()
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], target, width=0.4, label="target share", color="#bbbbbb")
    ax.bar([x + 0.2 for x in xs], actual, width=0.4, label="actual share", color="#0077bb")
    ax.set_xticks(list(xs), names)
    ax.set_ylabel("share of tokens")
    ax.legend()
    return fig


def stage_counts(state: dict[str, Any]) -> str:
    """HTML: every stage's counters (the rows pass that applied a global stage's decisions
    carries them too, and wins), and the decontamination table per benchmark if a run has one."""
    counters: dict[str, dict[str, Any]] = {}
    for name, stats in _stage_stats(state):
        if stats.get("counters"):
            counters[name] = stats["counters"]
    out = ""
    if counters:
        rows = "".join(
            f"<tr><td>{html.escape(stage)}</td><td>{html.escape(key)}</td><td>{value}</td></tr>"
            for stage, values in counters.items()
            for key, value in values.items()
        )
        out += f'<table id="stage-counts"><tr><th>stage</th><th>count</th><th>value</th></tr>{rows}</table>'
    table = next(
        (s["decontamination"] for s in reversed(state.get("segments", [])) if "decontamination" in s), None
    )
    if table:
        keys = list(next(iter(table.values())))
        head = "".join(f"<th>{html.escape(k.replace('_', ' '))}</th>" for k in keys)
        body = "".join(
            f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td>{row[k]}</td>" for k in keys) + "</tr>"
            for name, row in table.items()
        )
        out += "<h3>Decontamination</h3>"
        out += f'<table id="decontamination"><tr><th>benchmark</th>{head}</tr>{body}</table>'
    return f"<h2>Counts per stage</h2>{out}" if out else ""


# -- page --------------------------------------------------------------------------------------


def _table(rows: list[tuple[str, Any]]) -> str:
    cells = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def _export_section(export_dir: Path) -> str:
    manifest = json.loads((export_dir / "manifest.json").read_text(encoding="utf-8"))
    header = (
        "<tr>"
        + "".join(
            f"<th>{h}</th>"
            for h in (
                "component",
                "target tokens",
                "actual tokens",
                "actual share",
                "docs",
                "epochs",
                "shortfall",
            )
        )
        + "</tr>"
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                c["name"],
                c["target_tokens"],
                c["actual_tokens"],
                c["actual_weight"],
                c["docs"],
                c["epochs"],
                c["shortfall_tokens"],
            )
        )
        + "</tr>"
        for c in manifest["components"]
    )
    title = f"Export {manifest['name']}: composition against targets"
    breakdowns = "".join(
        f"<h3>{name}</h3>"
        + _table([(k, f"{v['docs']} docs, {v['tokens']} tokens") for k, v in manifest[key].items()])
        for name, key in (("Licences", "licenses"), ("Sources", "sources"), ("Languages", "languages"))
    )
    return (
        _plot_html("composition", title, composition(manifest), "")
        + f"<table>{header}{body}</table>{breakdowns}"
    )


def build_html(run_dir: Path, export_dir: Path | None = None) -> str:
    state = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    kept, rejected = _rows(run_dir, state)
    totals = state.get("totals", {})
    summary = _table(
        [
            ("run", state.get("name")),
            ("status", state.get("status")),
            (
                "documents in / kept / rejected",
                f"{totals.get('docs_in')} / {totals.get('kept')} / {totals.get('rejected')}",
            ),
            ("config sha", state.get("config_sha")),
            ("datamill version", state.get("datamill_version")),
            ("git commit", state.get("git_commit")),
            ("seconds", state.get("seconds")),
        ]
    )
    not_yet = "no stage in this run has filled `{}` yet"
    sections = [
        _plot_html("funnel", "Funnel per stage", funnel(state), "no stage statistics in run.json"),
        _plot_html("drop-reasons", "Drop reasons", drop_reasons(state), "no document was rejected"),
        stage_counts(state),
        _plot_html("lang", "Language mix (kept)", category_mix(kept, "lang"), not_yet.format("lang")),
        _plot_html("license", "Licence mix (kept)", category_mix(kept, "license"), not_yet.format("license")),
        _plot_html(
            "quality", "Quality score per language (kept)", quality_by_lang(kept), not_yet.format("quality")
        ),
        _plot_html(
            "clusters",
            "Near-duplicate cluster sizes",
            cluster_sizes(kept, rejected),
            not_yet.format("dup_cluster"),
        ),
    ]
    if export_dir is not None:
        sections.append(_export_section(export_dir))
    title = f"datamill run {state.get('name')}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style><script>{SCRIPT}</script></head><body>"
        f"<h1>{html.escape(title)}</h1>{summary}{''.join(sections)}</body></html>"
    )


def write_report(run_dir: Path, out: Path | None = None, export_dir: Path | None = None) -> Path:
    out = out or run_dir / "report.html"
    out.write_text(build_html(run_dir, export_dir), encoding="utf-8")
    return out
