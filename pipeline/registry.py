"""Name -> stage class, imported lazily so a run loads only the stages it uses."""

from __future__ import annotations

import importlib

from pipeline.stage import GlobalStage, Stage

STAGES: dict[str, str] = {
    "extract_html": "stages.extract_html:ExtractHtml",
    "extract_pdf": "stages.extract_pdf:ExtractPdf",
    "normalize": "stages.normalize:Normalize",
    "langid": "stages.langid:LangId",
    "licence": "stages.licence:Licence",
    "quality": "stages.quality:Quality",
    "quality_top": "stages.quality:QualityTop",
    "boilerplate": "stages.boilerplate:Boilerplate",
    "dedup_exact": "stages.dedup_exact:DedupExact",
    "dedup_minhash": "stages.dedup_minhash:DedupMinhash",
    "synthesize": "stages.synthesize:Synthesize",
}


def stage_class(name: str) -> type[Stage] | type[GlobalStage]:
    """The class registered under `name`; KeyError lists the known names."""
    try:
        target = STAGES[name]
    except KeyError:
        raise KeyError(f"unknown stage {name!r} (known: {', '.join(sorted(STAGES))})") from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
