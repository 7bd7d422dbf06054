"""Generation backends, as Ray Data class UDFs over batches of chunk rows.

Each call counts its chunk rows (`rows.survey`), generates the chunks not yet in the
stage's resume folder, turns finished generations into synthetic rows (`rows.build_rows`),
writes them there `flush_every` at a time (atomic renames) and returns them; its counts go to a
JSON file. A killed run loses at most the unwritten generations; the resumed run skips every
chunk id found in that folder.

- `VllmGenerator`: one `vllm.LLM` per actor, loaded once, stepped by one thread (`EngineLoop`)
  that every call hands its requests to: with two calls running at once per actor, the next
  batch is queued before the last one drains, so vLLM's continuous batching stays full.
  Structured outputs: JSON schema, `guidance` backend.
- `OpenAIGenerator`: chat completions against an OpenAI-compatible endpoint with bounded
  concurrency, timeouts and retries with exponential backoff. The API key is read by the driver
  from the environment variable the config names, handed to the actors as a constructor
  argument (so worker nodes need not have it) and only ever put into the request header.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import queue
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datamill.pipeline.rundir import write_json_atomic
from datamill.stages.synthesize.config import OpenAIBackend, SynthesizeConfig, VllmBackend
from datamill.stages.synthesize.rows import (
    INVALID,
    OUTPUT_FIELDS,
    build_rows,
    empty_rows,
    pair_counts,
    survey,
)
from datamill.stages.synthesize.validate import qa_schema

STRUCTURED_OUTPUTS = {"backend": "guidance", "disable_any_whitespace": True}
Output = tuple[str, str, int, int]  # text, finish reason, prompt tokens, output tokens


def chat_messages(config: SynthesizeConfig, batch: pa.Table) -> list[list[dict[str, str]]]:
    templates = config.templates
    return [
        templates[lang].messages(chunk, config.num_pairs)
        for lang, chunk in zip(
            batch.column("prompt_lang").to_pylist(), batch.column("chunk").to_pylist(), strict=True
        )
    ]


def with_outputs(chunks: pa.Table, outputs: list[Output]) -> pa.Table:
    """Chunk rows + the generation columns (`OUTPUT_FIELDS`)."""
    columns = list(zip(*outputs, strict=True)) if outputs else [[]] * len(OUTPUT_FIELDS)
    for (name, type_), values in zip(OUTPUT_FIELDS, columns, strict=True):
        chunks = chunks.append_column(name, pa.array(list(values), type_))
    return chunks


def write_rows(rows: pa.Table, cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"part-{uuid.uuid4().hex}.parquet"
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(rows, tmp, compression="zstd")
    os.replace(tmp, path)


class _Generator:
    """What both backends do around generation: count, skip finished chunks, build and save rows."""

    def __init__(self, config: SynthesizeConfig, cache_dir: str, counts_dir: str, done: pa.Array) -> None:
        self.config = config
        self.cache_dir = Path(cache_dir)
        self.counts_dir = Path(counts_dir)
        self.done = done
        self.load_seconds = 0.0
        self._lock = threading.Lock()

    def __call__(self, batch: pa.Table) -> pa.Table:
        """The synthetic rows of the batch's chunks not generated before (their counts go to
        `counts_dir`, named by the batch's rows (parent, chunk number) so a retried call
        overwrites its own)."""
        counts, todo = survey(batch, self.done)
        out = []
        for generations in self.generate(todo):
            rows = build_rows(generations, self.config)
            write_rows(rows, self.cache_dir)
            counts.update(pair_counts(rows))
            for name in ("prompt_tokens", "output_tokens"):
                counts[name] += pc.sum(generations.column(name)).as_py() or 0
            out.append(rows.drop_columns([INVALID]))
        with self._lock:  # reported once per actor
            counts["load_seconds"], self.load_seconds = self.load_seconds, 0.0
        counts["generate_seconds"] += self.seconds_since_last_call()
        keys = zip(
            batch.column("parent_id").to_pylist(), batch.column("chunk_index").to_pylist(), strict=True
        )
        name = hashlib.sha256("\x1f".join(f"{p}\x1e{i}" for p, i in keys).encode()).hexdigest()
        write_json_atomic(dict(counts), self.counts_dir / f"{name}.json")
        return pa.concat_tables(out) if out else empty_rows(self.config)

    def generate(self, todo: pa.Table) -> Iterator[pa.Table]:
        """Generations of the chunk rows (`with_outputs`), in pieces as they finish."""
        raise NotImplementedError

    def seconds_since_last_call(self) -> float:
        """Time spent generating since the last report (concurrent calls are not counted twice)."""
        raise NotImplementedError


def counts_in(folder: Path) -> Counter:
    """Sum of the counts generator calls wrote to `folder`."""
    total: Counter = Counter()
    for path in sorted(folder.glob("*.json")):
        total.update(json.loads(path.read_text(encoding="utf-8")))
    return total


class EngineLoop:
    """Steps one vLLM `LLMEngine` on its own thread. Calls hand it requests (`submit`) with a
    queue for their results, so the requests of calls running at once share one continuous
    batch and the engine does not drain between batches."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.failure: BaseException | None = None
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._busy = 0.0  # seconds with requests in the engine, up to `_busy_since`
        self._busy_since: float | None = None
        self._reported = 0.0
        self._thread = threading.Thread(target=self._run, name="vllm-engine-loop", daemon=True)
        self._thread.start()

    def submit(self, request_id: str, prompt: Any, params: Any, results: queue.SimpleQueue, key: int) -> None:
        self._inbox.put((request_id, prompt, params, results, key))

    def result(self, results: queue.SimpleQueue) -> tuple[int, Any]:
        """The next (key, `RequestOutput`) of a caller's queue; raises if the engine failed."""
        while True:
            try:
                return results.get(timeout=1.0)
            except queue.Empty:
                if self.failure is not None:
                    raise RuntimeError(f"vLLM engine loop failed: {self.failure!r}") from self.failure

    def busy_seconds_since_last_call(self) -> float:
        with self._lock:
            now = time.perf_counter()
            busy = self._busy + (now - self._busy_since if self._busy_since is not None else 0.0)
            delta, self._reported = busy - self._reported, busy
            return delta

    def stop(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        waiting: dict[str, tuple[queue.SimpleQueue, int]] = {}
        try:
            while True:
                block = not waiting  # idle: wait for work; busy: take what has come, then step
                while True:
                    try:
                        item = self._inbox.get(block=block)
                    except queue.Empty:
                        break
                    if item is None:
                        return
                    request_id, prompt, params, results, key = item
                    self.engine.add_request(request_id, prompt, params)
                    waiting[request_id] = (results, key)
                    block = False
                with self._lock:
                    if self._busy_since is None:
                        self._busy_since = time.perf_counter()
                for output in self.engine.step():
                    if output.finished:
                        results, key = waiting.pop(output.request_id)
                        results.put((key, output))
                if not waiting:
                    with self._lock:
                        self._busy += time.perf_counter() - self._busy_since
                        self._busy_since = None
        except BaseException as exc:  # handed to every waiting caller by `result`
            self.failure = exc


class VllmGenerator(_Generator):
    """Ray Data actor holding one vLLM engine (run it with two concurrent calls per actor)."""

    def __init__(self, config: SynthesizeConfig, cache_dir: str, counts_dir: str, done: pa.Array) -> None:
        started = time.perf_counter()  # load time: importing vLLM and starting the engine
        super().__init__(config, cache_dir, counts_dir, done)
        from vllm import LLM

        uncap_cpu_threads(config.backend)
        self.llm = LLM(**engine_args(config))
        self.tokenizer = self.llm.get_tokenizer()
        warm_up(self.llm, config)
        self.max_prompt = config.context_length() - config.max_tokens
        self.loop = EngineLoop(self.llm.llm_engine)
        self.load_seconds = time.perf_counter() - started

    def generate(self, todo: pa.Table) -> Iterator[pa.Table]:
        from vllm.inputs import TokensPrompt
        from vllm.sampling_params import RequestOutputKind

        if not todo.num_rows:
            return
        # token ids, as `LLM.chat` makes them: the chat template already holds the special
        # tokens, and the engine need not tokenize the prompt a second time
        prompts = [
            self.tokenizer.encode(p, add_special_tokens=False)
            for p in render_prompts(self.tokenizer, chat_messages(self.config, todo))
        ]
        params = sampling_params(self.config, todo)
        lengths = [len(ids) for ids in prompts]
        outputs: dict[int, Output] = {}
        results: queue.SimpleQueue = queue.SimpleQueue()
        prefix = uuid.uuid4().hex
        for i, n in enumerate(lengths):
            if n > self.max_prompt:
                outputs[i] = ("", "prompt_too_long", n, 0)
                continue
            params[i].output_kind = RequestOutputKind.FINAL_ONLY  # as `LLM.generate` asks
            self.loop.submit(
                f"{prefix}-{i}", TokensPrompt(prompt_token_ids=prompts[i]), params[i], results, i
            )
        for _ in range(len(lengths) - len(outputs)):
            i, result = self.loop.result(results)
            completion = result.outputs[0]
            outputs[i] = (
                completion.text,
                completion.finish_reason or "stop",
                len(result.prompt_token_ids or ()),
                len(completion.token_ids),
            )
            if len(outputs) >= self.config.backend.flush_every:
                yield self._take(todo, outputs)
        if outputs:
            yield self._take(todo, outputs)

    @staticmethod
    def _take(todo: pa.Table, outputs: dict[int, Output]) -> pa.Table:
        rows = list(outputs)
        table = with_outputs(todo.take(rows), [outputs[i] for i in rows])
        outputs.clear()
        return table

    def seconds_since_last_call(self) -> float:
        return self.loop.busy_seconds_since_last_call()

    def __del__(self) -> None:
        loop = getattr(self, "loop", None)
        if loop is not None:
            loop.stop()
        shutdown_engine(getattr(self, "llm", None))


def uncap_cpu_threads(backend: VllmBackend | OpenAIBackend) -> None:
    """In a Ray worker before the engine starts: Ray caps OMP_NUM_THREADS at the worker's CPUs,
    and vLLM's CPU build binds its own threads (all cores but one for its scheduler), as a bare
    `vllm.LLM` would."""
    if isinstance(backend, VllmBackend) and backend.num_gpus == 0:
        os.environ.pop("OMP_NUM_THREADS", None)


def warm_up(llm: Any, config: SynthesizeConfig) -> None:
    """One short structured request per prompt language, so one-time work of the engine (the
    JSON-schema grammar, kernels picked on first use) is part of loading, not of the first batch."""
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    prompts = render_prompts(
        llm.get_tokenizer(), [t.messages("warm-up", config.num_pairs) for t in config.templates.values()]
    )
    params = SamplingParams(
        max_tokens=16, seed=0, structured_outputs=StructuredOutputsParams(json=qa_schema(config.rules()))
    )
    llm.generate(prompts, params, use_tqdm=False)


def shutdown_engine(llm: Any) -> None:
    """Stop a `vllm.LLM`'s engine processes (else the interpreter waits for them at exit)."""
    engine = getattr(llm, "llm_engine", None)
    shutdown = getattr(getattr(engine, "engine_core", None), "shutdown", None)
    if shutdown is not None:
        shutdown()


def engine_args(config: SynthesizeConfig) -> dict[str, Any]:
    """`vllm.LLM` keyword arguments for the configured engine."""
    b = config.backend
    assert isinstance(b, VllmBackend)
    args: dict[str, Any] = {
        "model": str(config.model_dir),
        "tokenizer": str(config.tokenizer_file.parent),
        "tensor_parallel_size": b.tp,
        "dtype": b.dtype,
        "seed": config.seed,
        "enforce_eager": b.enforce_eager,
        "gpu_memory_utilization": b.gpu_memory_utilization,
        # random-weight and small models keep to the schema with guidance (see PITFALLS);
        # compact JSON: no tokens spent on whitespace between JSON tokens
        "structured_outputs_config": STRUCTURED_OUTPUTS,
    }
    if config.model_revision:
        args["revision"] = config.model_revision
    for key in ("max_model_len", "kv_cache_memory_bytes", "max_num_seqs"):
        if getattr(b, key) is not None:
            args[key] = getattr(b, key)
    if b.tp > 1:
        args["distributed_executor_backend"] = "mp"  # workers inside this actor's GPUs
    if b.num_gpus == 0:
        # vLLM's CPU build crashes the engine ("CPU Generator does not use offset") when a
        # request with its own seed is prefilled in pieces: prefill whole prompts instead
        args["enable_chunked_prefill"] = False
        args["max_num_batched_tokens"] = max(4096, config.context_length())
    return args


def render_prompts(tokenizer: Any, conversations: list[list[dict[str, str]]]) -> list[str]:
    """Prompt strings through the model's own chat template."""
    return [
        tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        for messages in conversations
    ]


def sampling_params(config: SynthesizeConfig, batch: pa.Table) -> list[Any]:
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    structured = StructuredOutputsParams(json=qa_schema(config.rules()))
    return [
        SamplingParams(
            temperature=config.temperature,
            top_p=config.top_p,
            max_tokens=config.max_tokens,
            seed=seed,
            structured_outputs=structured,
        )
        for seed in batch.column("seed").to_pylist()
    ]


# -- OpenAI-compatible endpoint ---------------------------------------------------------------------


class EndpointError(RuntimeError):
    """The endpoint kept failing after every retry (network, timeout, 429, 5xx)."""


class RequestRejected(Exception):
    """The endpoint refused one request for good (a 4xx other than 408/429)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status


RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class ChatClient:
    """POSTs chat completions with bounded concurrency, timeouts and retries."""

    def __init__(self, backend: OpenAIBackend, key: str | None) -> None:
        self.backend = backend
        self.url = backend.base_url.rstrip("/") + "/chat/completions"
        self._headers = {"Content-Type": "application/json"}
        if key:
            self._headers["Authorization"] = f"Bearer {key}"

    def __repr__(self) -> str:  # never show the headers (the key)
        return f"ChatClient({self.url})"

    async def complete_all(
        self, bodies: list[dict[str, Any]]
    ) -> list[dict[str, Any] | RequestRejected | EndpointError]:
        """One answer per body, in order: the response JSON, or the error that ended it."""
        import aiohttp

        limit = asyncio.Semaphore(self.backend.max_concurrency)
        timeout = aiohttp.ClientTimeout(total=self.backend.timeout_seconds)
        async with aiohttp.ClientSession(timeout=timeout) as session:

            async def one(body: dict[str, Any]) -> dict[str, Any] | RequestRejected | EndpointError:
                async with limit:
                    try:
                        return await self._post(session, body)
                    except (RequestRejected, EndpointError) as exc:
                        return exc

            return list(await asyncio.gather(*(one(b) for b in bodies)))

    async def _post(self, session: Any, body: dict[str, Any]) -> dict[str, Any]:
        import aiohttp

        problem, wait = "", None
        for attempt in range(self.backend.max_retries + 1):
            if attempt:
                await asyncio.sleep(wait if wait is not None else self._backoff(attempt))
            wait = None
            try:
                async with session.post(self.url, json=body, headers=self._headers) as response:
                    text = await response.text()
                    if response.status == 200:
                        return json.loads(text)
                    detail = text[:300].replace("\n", " ")
                    if response.status not in RETRY_STATUS:
                        raise RequestRejected(response.status, detail)
                    problem = f"HTTP {response.status}: {detail}"
                    retry_after = response.headers.get("Retry-After", "")
                    if retry_after.isdigit():  # the server says when; capped by the request timeout
                        wait = min(float(retry_after), self.backend.timeout_seconds)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
        raise EndpointError(
            f"{self.url}: no answer after {self.backend.max_retries + 1} attempts; last: {problem}"
        )

    def _backoff(self, attempt: int) -> float:
        return self.backend.backoff_seconds * 2 ** (attempt - 1) * (1 + 0.25 * random.random())


class OpenAIGenerator(_Generator):
    """Ray Data actor sending a batch's chunks to an OpenAI-compatible endpoint."""

    def __init__(
        self, config: SynthesizeConfig, cache_dir: str, counts_dir: str, done: pa.Array, key: str | None
    ) -> None:
        assert isinstance(config.backend, OpenAIBackend)
        super().__init__(config, cache_dir, counts_dir, done)
        self.client = ChatClient(config.backend, key)
        self.schema = qa_schema(config.rules())
        self.seconds = 0.0

    def request(self, messages: list[dict[str, str]], seed: int) -> dict[str, Any]:
        c = self.config
        return {
            "model": c.model,
            "messages": messages,
            "temperature": c.temperature,
            "top_p": c.top_p,
            "max_tokens": c.max_tokens,
            "seed": seed,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "qa_pairs", "schema": self.schema, "strict": True},
            },
        }

    def generate(self, todo: pa.Table) -> Iterator[pa.Table]:
        if not todo.num_rows:
            return
        seeds = todo.column("seed").to_pylist()
        bodies = [self.request(m, s) for m, s in zip(chat_messages(self.config, todo), seeds, strict=True)]
        started = time.perf_counter()
        answers = asyncio.run(self.client.complete_all(bodies))
        self.seconds += time.perf_counter() - started
        failed = [a for a in answers if isinstance(a, EndpointError)]
        keep = [i for i, a in enumerate(answers) if not isinstance(a, EndpointError)]
        outputs = []
        for i in keep:
            answer = answers[i]
            if isinstance(answer, RequestRejected):
                outputs.append((str(answer), f"http_{answer.status}", 0, 0))
                continue
            choice = (answer.get("choices") or [{}])[0]
            usage = answer.get("usage") or {}
            outputs.append(
                (
                    (choice.get("message") or {}).get("content") or "",
                    choice.get("finish_reason") or "stop",
                    int(usage.get("prompt_tokens") or 0),
                    int(usage.get("completion_tokens") or 0),
                )
            )
        if outputs:  # keep what succeeded (a re-run resumes the rest), then stop the run
            yield with_outputs(todo.take(keep), outputs)
        if failed:
            raise EndpointError(f"{len(failed)} request(s) failed: {failed[0]}")

    def seconds_since_last_call(self) -> float:
        seconds, self.seconds = self.seconds, 0.0
        return seconds
