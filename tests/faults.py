"""Faults the tests inject: a parser process killed while it parses."""

from __future__ import annotations

import signal
import threading
import time

import psutil
import pyarrow as pa


def run_with_parser_killed(stage, warm_up: pa.Table, batch: pa.Table) -> pa.Table:
    """`stage(batch)` while the stage's parser process is SIGKILLed in the middle of it: once
    the child (started by `stage(warm_up)`) has spent 0.3 s of CPU on `batch`."""
    stage(warm_up)
    child = psutil.Process(stage.parser.pid)
    busy = child.cpu_times().user + 0.3
    result: list[pa.Table] = []
    worker = threading.Thread(target=lambda: result.append(stage(batch)))
    worker.start()
    while child.cpu_times().user < busy:
        assert worker.is_alive(), "the batch was parsed before the parser could be killed"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    worker.join()
    return result[0]
