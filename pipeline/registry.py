"""Name -> stage class, imported lazily so a run loads only the stages it uses. The source stage
(the first of every run) is registered apart: a run config names its sources, not that stage."""

from __future__ import annotations

import importlib
from typing import Any

from datamill.pipeline.stage import GlobalStage, SourceStage, Stage

SOURCE_STAGE = "datamill.stages.ingest.stage:Ingest"

STAGES: dict[str, str] = {
    "extract_html": "datamill.stages.extract_html:ExtractHtml",
    "extract_pdf": "datamill.stages.extract_pdf.stage:ExtractPdf",
    "normalize": "datamill.stages.normalize:Normalize",
    "langid": "datamill.stages.langid:LangId",
    "garbage": "datamill.stages.garbage:Garbage",
    "pii": "datamill.stages.pii:Pii",
    "licence": "datamill.stages.licence:Licence",
    "quality": "datamill.stages.quality:Quality",
    "quality_top": "datamill.stages.quality:QualityTop",
    "boilerplate": "datamill.stages.boilerplate:Boilerplate",
    "dedup_exact": "datamill.stages.dedup_exact:DedupExact",
    "dedup_minhash": "datamill.stages.dedup_minhash.stage:DedupMinhash",
    "decontaminate": "datamill.stages.decontaminate.stage:Decontaminate",
    "synthesize": "datamill.stages.synthesize.stage:Synthesize",
    "tokens": "datamill.stages.tokens:Tokens",
}


def stage_class(name: str) -> type[Stage] | type[GlobalStage]:
    """The class registered under `name`; KeyError lists the known names."""
    try:
        target = STAGES[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r} (known: {', '.join(sorted(STAGES))})") from None
    return _load(target)


def source_stage(sources: list[Any]) -> SourceStage:
    """The source stage reading `sources` (a run config's `sources[]`)."""
    cls = _load(SOURCE_STAGE)
    return cls(cls.Config(sources=sources))


def _load(target: str) -> type:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
