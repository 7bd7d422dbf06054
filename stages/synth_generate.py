"""Generation backends, as Ray Data class UDFs over batches of chunk rows.

Each call generates the batch, writes it (chunk rows + `output`, `finish`, token counts) as one
Parquet file into the stage's resume folder (atomic rename), and returns one row of figures.
Finished chunks are never generated again by a resumed run: the stage skips chunk ids already in
that folder.

- `VllmGenerator`: one `vllm.LLM` per actor, loaded once; the whole batch goes to one `generate`
  call so vLLM's continuous batching stays full; structured outputs (JSON schema, `guidance`).
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
import random
import time
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from stages.synth_config import OpenAIBackend, SynthesizeConfig, VllmBackend
from stages.synth_validate import qa_schema

OUTPUT_FIELDS = [
    ("output", pa.large_string()),
    ("finish", pa.string()),  # stop, length, prompt_too_long, http_<status>
    ("prompt_tokens", pa.int64()),
    ("output_tokens", pa.int64()),
]
STRUCTURED_OUTPUTS = {"backend": "guidance", "disable_any_whitespace": True}
STATS_COLUMNS = ("prompt_tokens", "output_tokens", "generate_seconds", "load_seconds")


def request_seed(seed: int, chunk_id: str) -> int:
    """Per-request seed: the same chunk gets the same seed whatever batch it lands in."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{chunk_id}".encode()).digest()[:7], "big")


def chat_messages(config: SynthesizeConfig, batch: pa.Table) -> list[list[dict[str, str]]]:
    templates = config.templates
    return [
        templates[lang].messages(chunk, config.num_pairs)
        for lang, chunk in zip(
            batch.column("prompt_lang").to_pylist(), batch.column("chunk").to_pylist(), strict=True
        )
    ]


def _finish(batch: pa.Table, outputs: list[tuple[str, str, int, int]], cache_dir: Path) -> pa.Table:
    columns = list(zip(*outputs, strict=True)) if outputs else [[]] * len(OUTPUT_FIELDS)
    table = batch
    for (name, type_), values in zip(OUTPUT_FIELDS, columns, strict=True):
        table = table.append_column(name, pa.array(list(values), type_))
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"part-{uuid.uuid4().hex}.parquet"
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
    return table


def _stats(prompt: int, output: int, seconds: float, load: float) -> pa.Table:
    return pa.table(
        {
            "prompt_tokens": [prompt],
            "output_tokens": [output],
            "generate_seconds": [seconds],
            "load_seconds": [load],
        }
    )


class VllmGenerator:
    """Ray Data actor holding one vLLM engine."""

    def __init__(self, config: SynthesizeConfig, cache_dir: str) -> None:
        started = time.perf_counter()  # load time: importing vLLM and starting the engine
        from vllm import LLM

        backend = config.backend
        assert isinstance(backend, VllmBackend)
        self.config = config
        self.cache_dir = Path(cache_dir)
        if backend.num_gpus == 0:
            # Ray caps OMP_NUM_THREADS at the actor's CPUs; the CPU build binds its own threads
            # (all cores but one for its scheduler), as a bare `vllm.LLM` would
            os.environ.pop("OMP_NUM_THREADS", None)
        self.llm = LLM(**engine_args(config))
        self.tokenizer = self.llm.get_tokenizer()
        warm_up(self.llm, config)
        self.max_prompt = config.context_length() - config.max_tokens
        self.load_seconds = time.perf_counter() - started

    def __call__(self, batch: pa.Table) -> pa.Table:
        """Queues the whole batch in the engine (its continuous batching stays full) and writes
        finished generations to the resume folder `flush_every` at a time, so a killed run loses
        at most that many per engine whatever the batch size."""
        from vllm.sampling_params import RequestOutputKind

        prompts = render_prompts(self.tokenizer, self.config, batch)
        params = sampling_params(self.config, batch)
        lengths = [len(self.tokenizer.encode(p, add_special_tokens=False)) for p in prompts]
        todo = [i for i, n in enumerate(lengths) if n <= self.max_prompt]
        outputs: list[tuple[str, str, int, int]] = [("", "prompt_too_long", n, 0) for n in lengths]
        flush_every = self.config.backend.flush_every
        unwritten = [i for i, n in enumerate(lengths) if n > self.max_prompt]
        started = time.perf_counter()
        engine = self.llm.llm_engine
        row_of: dict[str, int] = {}
        for i in todo:
            params[i].output_kind = RequestOutputKind.FINAL_ONLY  # as `LLM.generate` asks
            request_id = f"{uuid.uuid4().hex}-{i}"
            row_of[request_id] = i
            engine.add_request(request_id, prompts[i], params[i])
        while engine.has_unfinished_requests():
            for result in engine.step():
                if result.finished:
                    i = row_of[result.request_id]
                    completion = result.outputs[0]
                    outputs[i] = (
                        completion.text,
                        completion.finish_reason or "stop",
                        len(result.prompt_token_ids or ()),
                        len(completion.token_ids),
                    )
                    unwritten.append(i)
            if len(unwritten) >= flush_every:
                _finish(batch.take(unwritten), [outputs[i] for i in unwritten], self.cache_dir)
                unwritten = []
        seconds = time.perf_counter() - started
        if unwritten:
            _finish(batch.take(unwritten), [outputs[i] for i in unwritten], self.cache_dir)
        load, self.load_seconds = self.load_seconds, 0.0  # reported once per actor
        return _stats(sum(o[2] for o in outputs), sum(o[3] for o in outputs), seconds, load)

    def __del__(self) -> None:
        shutdown_engine(getattr(self, "llm", None))


def warm_up(llm: Any, config: SynthesizeConfig) -> None:
    """One short structured request per prompt language, so one-time work of the engine (the
    JSON-schema grammar, kernels picked on first use) is part of loading, not of the first batch."""
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    tokenizer = llm.get_tokenizer()
    prompts = [
        tokenizer.apply_chat_template(
            template.messages("warm-up", config.num_pairs), tokenize=False, add_generation_prompt=True
        )
        for template in config.templates.values()
    ]
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


def render_prompts(tokenizer: Any, config: SynthesizeConfig, batch: pa.Table) -> list[str]:
    """Prompt strings through the model's own chat template."""
    return [
        tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        for messages in chat_messages(config, batch)
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


class OpenAIGenerator:
    """Ray Data actor sending a batch's chunks to an OpenAI-compatible endpoint."""

    def __init__(self, config: SynthesizeConfig, cache_dir: str, key: str | None) -> None:
        assert isinstance(config.backend, OpenAIBackend)
        self.config = config
        self.cache_dir = Path(cache_dir)
        self.client = ChatClient(config.backend, key)
        self.schema = qa_schema(config.rules())

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

    def __call__(self, batch: pa.Table) -> pa.Table:
        seeds = batch.column("seed").to_pylist()
        bodies = [self.request(m, s) for m, s in zip(chat_messages(self.config, batch), seeds, strict=True)]
        started = time.perf_counter()
        answers = asyncio.run(self.client.complete_all(bodies))
        seconds = time.perf_counter() - started
        failed = [a for a in answers if isinstance(a, EndpointError)]
        if failed:  # keep what succeeded (a re-run resumes the rest), then stop the run
            keep = [i for i, a in enumerate(answers) if not isinstance(a, EndpointError)]
            batch, answers = batch.take(keep), [answers[i] for i in keep]
        outputs = []
        for answer in answers:
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
        if outputs:
            _finish(batch, outputs, self.cache_dir)
        if failed:
            raise EndpointError(f"{len(failed)} request(s) failed: {failed[0]}")
        return _stats(sum(o[2] for o in outputs), sum(o[3] for o in outputs), seconds, 0.0)
