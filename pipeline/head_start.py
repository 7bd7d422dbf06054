"""The first rows pass's shards run in the driver while a local Ray starts.

Starting Ray takes the driver 2-3 s (on these machines) of waiting for the raylet and its
agents. `HeadStart` spends them on shards: a driver thread runs the first pass's shards, in
order, through the same `FusedPass` and `shard_result` as the Ray tasks (same stages, files
and shard markers), until Ray is up; the shard it is on then finishes beside the Ray tasks,
which take the others. A shard is committed by its marker either way, so a head-started
shard is found done, resumed and verified exactly as one a Ray worker ran.
"""

from __future__ import annotations

import threading

from datamill.pipeline.fused import FusedPass, PassSetup, ShardTask, shard_result


class HeadStart:
    """Runs `tasks` of the pass `setup` describes in a thread, from the first on, until `stop`."""

    def __init__(self, setup: PassSetup, tasks: list[ShardTask]) -> None:
        self.setup = setup
        self._queue = list(reversed(tasks))
        self._lock = threading.Lock()
        self._stopped = False
        self._pass: FusedPass | None = None
        self.taken: list[str] = []  # keys of the shards taken, in order
        self.results: list[dict] = []
        self._thread = threading.Thread(target=self._work, name="datamill-head-start", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._stopped or not self._queue:
                    return
                task = self._queue.pop()
                self.taken.append(task.key)
            self.results.append(shard_result(self._built, task, self.setup.segment))

    def _built(self) -> FusedPass:
        if self._pass is None:
            self._pass = self.setup.build()
        return self._pass

    def stop(self) -> None:
        """Take no more shards: `taken` is final (those done, or still running)."""
        with self._lock:
            self._stopped = True

    def finish(self) -> list[dict]:
        """The results of every shard taken, once the last has finished; the pass's stages
        are let go (models, parser processes)."""
        self._thread.join()
        self._pass = None
        return self.results
