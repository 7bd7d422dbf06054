"""The progress display shows work of no known size (a global stage deciding) as finished once
it is, not as a spinner stuck at 0/?."""

import io

from rich.console import Console

from datamill.pipeline.progress import Progress


def _shown(total: int | None, steps: int) -> str:
    progress = Progress(enabled=True)
    progress.console = Console(file=io.StringIO(), width=100)
    with progress.task("02-dedup_exact", total=total) as bar:
        for _ in range(steps):
            bar.advance()
    return progress.console.file.getvalue()


def test_work_of_no_known_size_ends_shown_finished():
    shown = _shown(None, 0)
    assert "02-dedup_exact" in shown and "1/1" in shown and "0/?" not in shown


def test_counted_work_ends_with_its_count():
    assert "3/3" in _shown(3, 3)
