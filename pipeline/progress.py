"""Progress display for long work (rich, on stderr); silent when disabled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress


class _Bar:
    def __init__(self, progress: RichProgress | None, task_id: int | None) -> None:
        self.progress, self.task_id = progress, task_id

    def advance(self, n: int = 1) -> None:
        if self.progress is not None:
            self.progress.advance(self.task_id, n)


class Progress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.console = Console(stderr=True)

    def note(self, message: str) -> None:
        """A line the user should see even without progress bars."""
        self.console.print(message, markup=False, highlight=False)

    @contextmanager
    def task(self, description: str, total: int | None, completed: int = 0) -> Iterator[_Bar]:
        if not self.enabled:
            yield _Bar(None, None)
            return
        columns = [
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        ]
        with RichProgress(*columns, console=self.console, transient=False) as progress:
            task_id = progress.add_task(description, total=total, completed=completed)
            yield _Bar(progress, task_id)
            if total is None:  # work of no known size, done: shown finished, not as 0/? spinning
                progress.update(task_id, total=1, completed=1)
