"""Config of the synthesize stage, checked at start-up: the model folder, the tokenizer, the
prompt templates (placeholders), the API key variable, and that a prompt + the longest chunk +
`max_tokens` fit in the model's context. Relative paths resolve against the run config's folder,
then (for the bundled templates) against the datamill checkout."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

from datamill.pipeline.errors import ConfigError
from datamill.pipeline.stage import StageConfig
from datamill.stages.synthesize.chunks import token_counter
from datamill.stages.synthesize.prompts import PromptTemplate, TemplateError
from datamill.stages.synthesize.validate import PairRules

# the checkout, whose configs/prompts/ hold the default templates (stages/synthesize/config.py)
REPO_ROOT = Path(__file__).resolve().parents[2]
# tokens a chat template adds around two messages and the assistant turn (role tags, newlines)
CHAT_OVERHEAD_TOKENS = 32


class _Backend(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VllmBackend(_Backend):
    """vLLM offline batching, one `vllm.LLM` per Ray actor."""

    kind: Literal["vllm"] = "vllm"
    num_actors: int = Field(1, ge=1)  # engines (model replicas)
    num_gpus: int = Field(1, ge=0)  # GPUs per engine; 0 runs vLLM's CPU build
    tensor_parallel_size: int | None = Field(None, ge=1)  # default: num_gpus (1 on CPU)
    num_cpus: float = Field(1.0, gt=0)  # CPUs Ray reserves per engine
    # chunks a call hands its engine; two calls run at once per engine, so the next batch is
    # queued before one drains (keep it above max_num_seqs); smaller batches spread the last
    # ones over engines better. Finished generations are written `flush_every` at a time (what
    # a killed run can lose per call)
    batch_size: int = Field(1024, ge=1)
    flush_every: int = Field(256, ge=1)
    max_model_len: int | None = Field(None, ge=16)  # default: the model's max_position_embeddings
    dtype: str = "auto"
    gpu_memory_utilization: float = Field(0.9, gt=0, le=1)
    kv_cache_memory_bytes: int | None = Field(None, ge=1 << 20)  # fixed KV cache (needed on CPU VMs)
    max_num_seqs: int | None = Field(None, ge=1)
    enforce_eager: bool = False

    @property
    def tp(self) -> int:
        return self.tensor_parallel_size or max(1, self.num_gpus)


class OpenAIBackend(_Backend):
    """Any OpenAI-compatible chat completions endpoint (`vllm serve`, a hosted API)."""

    kind: Literal["openai"]
    base_url: str = Field(pattern=r"^https?://")  # e.g. http://127.0.0.1:8000/v1
    api_key_env: str | None = None  # name of the environment variable holding the key
    max_model_len: int = Field(ge=16)  # the served model's context, for the start-up check
    max_concurrency: int = Field(8, ge=1)  # requests in flight per actor
    num_actors: int = Field(1, ge=1)
    num_cpus: float = Field(0.25, gt=0)
    batch_size: int = Field(64, ge=1)
    timeout_seconds: float = Field(120.0, gt=0)  # per request
    max_retries: int = Field(4, ge=0)  # on network errors, timeouts, HTTP 429 and 5xx
    backoff_seconds: float = Field(1.0, ge=0)  # first retry delay; doubles each retry

    def api_key(self) -> str | None:
        """The key from the driver's environment (checked when the stage starts, not at config
        parse time: workers that re-read the config need not have the variable)."""
        if not self.api_key_env:
            return None
        if self.api_key_env not in os.environ:
            raise ConfigError(f"backend.api_key_env: environment variable {self.api_key_env} is not set")
        return os.environ[self.api_key_env]


DEFAULT_PROMPTS = {"en": "configs/prompts/qa_en.yaml", "zh": "configs/prompts/qa_zh.yaml"}


class SynthesizeConfig(StageConfig):
    model: str  # vllm: a local model folder; openai: the served model's name
    model_revision: str | None = None  # recorded in `gen`; default: a hash of the model folder's files
    tokenizer: str | None = None  # folder or tokenizer.json for chunking; default: the model folder
    backend: Annotated[VllmBackend | OpenAIBackend, Field(discriminator="kind")] = VllmBackend()
    prompts: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PROMPTS))  # lang -> template
    # which documents: languages (default: every language with a prompt), quality, licences
    langs: list[str] | None = None
    min_quality: float | None = None
    licenses: list[str] | None = None  # SPDX ids (or proprietary/unknown) allowed
    chunk_tokens: int = Field(1024, ge=16)
    min_chunk_tokens: int = Field(32, ge=1)
    num_pairs: int = Field(3, ge=1, le=20)
    min_question_chars: int = Field(4, ge=1)
    max_question_chars: int = Field(400, ge=1)
    min_answer_chars: int = Field(4, ge=1)
    max_answer_chars: int = Field(2000, ge=1)
    min_overlap: float = Field(0.5, ge=0, le=1)  # share of answer units found in the chunk
    min_language_share: float = Field(0.5, ge=0, le=1)  # of letters in the document's script; 0 = off
    temperature: float = Field(0.7, ge=0)
    top_p: float = Field(0.95, gt=0, le=1)
    max_tokens: int = Field(1024, ge=1)
    seed: int = 0

    _model_dir: Path | None = PrivateAttr(None)
    _tokenizer_file: Path = PrivateAttr()
    _templates: dict[str, PromptTemplate] = PrivateAttr(default_factory=dict)
    _revision: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> SynthesizeConfig:
        base = Path((info.context or {}).get("base_dir") or Path.cwd())
        if self.langs is not None:
            unknown = sorted(set(self.langs) - set(self.prompts))
            if unknown:
                raise ValueError(
                    f"langs: no prompt template for {unknown} (prompts has {sorted(self.prompts)})"
                )
        if self.min_chunk_tokens > self.chunk_tokens:
            raise ValueError("min_chunk_tokens must not exceed chunk_tokens")
        self._templates = {lang: _load_template(lang, path, base) for lang, path in self.prompts.items()}
        if isinstance(self.backend, VllmBackend):
            self._model_dir = _model_dir(self.model, base)
            self._revision = self.model_revision or _folder_revision(self._model_dir)
            if self.backend.num_gpus and self.backend.tp > self.backend.num_gpus:
                raise ValueError("backend.tensor_parallel_size must not exceed backend.num_gpus")
        else:
            self._revision = self.model_revision
            if self.tokenizer is None:
                raise ValueError(
                    "tokenizer: required with the openai backend (a local tokenizer.json or folder)"
                )
        self._tokenizer_file = _tokenizer_file(self.tokenizer, self._model_dir, base)
        self._check_context()
        return self

    def _check_context(self) -> None:
        limit = self.context_length()
        counter = token_counter(str(self._tokenizer_file))
        for lang, template in self._templates.items():
            prompt = counter.count([template.instructions(self.num_pairs)])[0] + CHAT_OVERHEAD_TOKENS
            need = prompt + self.chunk_tokens + self.max_tokens
            if need > limit:
                raise ValueError(
                    f"chunk_tokens: prompt {lang!r} ({prompt} tokens with chat markup) + chunk_tokens "
                    f"({self.chunk_tokens}) + max_tokens ({self.max_tokens}) = {need} exceeds the model's "
                    f"context of {limit} tokens (backend.max_model_len); lower chunk_tokens or max_tokens"
                )

    def context_length(self) -> int:
        if self.backend.max_model_len:
            return self.backend.max_model_len
        config = json.loads((self._model_dir / "config.json").read_text(encoding="utf-8"))
        config = config.get("text_config", config)
        if not isinstance(config.get("max_position_embeddings"), int):
            raise ValueError(
                "backend.max_model_len: the model's config.json has no max_position_embeddings; set it"
            )
        return config["max_position_embeddings"]

    # -- resolved at start-up -----------------------------------------------------------------

    @property
    def model_dir(self) -> Path | None:
        return self._model_dir

    @property
    def tokenizer_file(self) -> Path:
        return self._tokenizer_file

    @property
    def templates(self) -> dict[str, PromptTemplate]:
        return self._templates

    @property
    def revision(self) -> str | None:
        return self._revision

    @property
    def selected_langs(self) -> set[str]:
        return set(self.langs if self.langs is not None else self.prompts)

    def rules(self) -> PairRules:
        return PairRules(
            num_pairs=self.num_pairs,
            min_question_chars=self.min_question_chars,
            max_question_chars=self.max_question_chars,
            min_answer_chars=self.min_answer_chars,
            max_answer_chars=self.max_answer_chars,
            min_overlap=self.min_overlap,
            min_language_share=self.min_language_share,
        )

    def sampling_json(self) -> str:
        """The sampling parameters recorded in `gen.sampling` (the per-request seed is `gen.seed`)."""
        return json.dumps(
            {
                "temperature": self.temperature,
                "top_p": self.top_p,
                "max_tokens": self.max_tokens,
                "num_pairs": self.num_pairs,
                "structured_output": "json_schema",
            },
            sort_keys=True,
        )


def _resolve(path: str, base: Path) -> Path:
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    return base / p if (base / p).exists() or not (REPO_ROOT / p).exists() else REPO_ROOT / p


def _load_template(lang: str, path: str, base: Path) -> PromptTemplate:
    try:
        return PromptTemplate.load(_resolve(path, base))
    except TemplateError as exc:
        raise ValueError(f"prompts.{lang}: {exc}") from exc


def _model_dir(model: str, base: Path) -> Path:
    path = _resolve(model, base)
    if not path.is_dir():
        raise ValueError(f"model: no model folder at {path} (download the model first; runs never download)")
    if not (path / "config.json").is_file():
        raise ValueError(f"model: {path} has no config.json (not a Hugging Face model folder)")
    return path.resolve()


def _tokenizer_file(tokenizer: str | None, model_dir: Path | None, base: Path) -> Path:
    path = _resolve(tokenizer, base) if tokenizer else model_dir
    if path is not None and path.is_dir():
        path = path / "tokenizer.json"
    if path is None or not path.is_file():
        raise ValueError(f"tokenizer: no tokenizer.json at {path}")
    try:
        token_counter(str(path.resolve()))
    except Exception as exc:  # tokenizers raises a bare Exception for a bad file
        raise ValueError(f"tokenizer: cannot load {path}: {exc}") from exc
    return path.resolve()


def _folder_revision(folder: Path) -> str:
    """A content hash of the model folder: config.json plus the weight files' names and sizes."""
    digest = hashlib.sha256((folder / "config.json").read_bytes())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return "sha256:" + digest.hexdigest()[:16]
