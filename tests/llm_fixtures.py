"""A tiny random-weight Qwen2 chat model, built locally for vLLM's CPU build (no download).

`build_tiny_model(folder)` writes a Hugging Face style model folder: `config.json`, random
weights in `model.safetensors`, a byte-level BPE `tokenizer.json` trained with `tokenizers` on
Chinese and English text written here, a ChatML chat template and `generation_config.json`.
Shapes follow the CPU attention limits (head size >= 32). About 1 MB on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
HIDDEN, LAYERS, HEADS, KV_HEADS, HEAD_DIM, FFN = 128, 2, 4, 2, 32, 256
MAX_POSITIONS = 2048

TRAINING_TEXT = [
    "Ray Data runs the pipeline on one machine or on a cluster of many machines.",
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Large language models learn from text: questions, answers, books and web pages.",
    'JSON objects hold keys and values: {"question": "What is it?", "answer": "A test."}',
    "长江是中国最长的河流，全长约六千三百公里，流经十一个省级行政区。",
    "机器学习模型需要大量高质量的训练数据，数据清洗和去重非常重要。",
    "问题：什么是分布式计算？答案：把一个大任务分给多台机器共同完成。",
    "北京是中华人民共和国的首都，也是全国的政治和文化中心。",
    "Answer each question in English. 请用中文回答每一个问题。",
]


def _train_tokenizer(vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(TRAINING_TEXT * 4, trainer=trainer)
    return tokenizer


def _weights(vocab: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    q, kv = HEADS * HEAD_DIM, KV_HEADS * HEAD_DIM
    out = {"model.embed_tokens.weight": rand(vocab, HIDDEN), "model.norm.weight": np.ones(HIDDEN, np.float32)}
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        out.update(
            {
                p + "input_layernorm.weight": np.ones(HIDDEN, np.float32),
                p + "post_attention_layernorm.weight": np.ones(HIDDEN, np.float32),
                p + "self_attn.q_proj.weight": rand(q, HIDDEN),
                p + "self_attn.q_proj.bias": np.zeros(q, np.float32),
                p + "self_attn.k_proj.weight": rand(kv, HIDDEN),
                p + "self_attn.k_proj.bias": np.zeros(kv, np.float32),
                p + "self_attn.v_proj.weight": rand(kv, HIDDEN),
                p + "self_attn.v_proj.bias": np.zeros(kv, np.float32),
                p + "self_attn.o_proj.weight": rand(HIDDEN, q),
                p + "mlp.gate_proj.weight": rand(FFN, HIDDEN),
                p + "mlp.up_proj.weight": rand(FFN, HIDDEN),
                p + "mlp.down_proj.weight": rand(HIDDEN, FFN),
            }
        )
    return out


def build_tokenizer(folder: Path, vocab_size: int = 1024) -> Path:
    """Write the tokenizer files and `config.json` (no weights: enough for start-up checks)."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tokenizer(vocab_size)
    tokenizer.save(str(folder / "tokenizer.json"))
    vocab = tokenizer.get_vocab_size()
    ids = {t: tokenizer.token_to_id(t) for t in SPECIAL_TOKENS}
    config = {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "vocab_size": vocab,
        "hidden_size": HIDDEN,
        "intermediate_size": FFN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS,
        "head_dim": HEAD_DIM,
        "hidden_act": "silu",
        "max_position_embeddings": MAX_POSITIONS,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "bos_token_id": ids["<|endoftext|>"],
        "eos_token_id": ids["<|im_end|>"],
        "use_sliding_window": False,
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    (folder / "generation_config.json").write_text(
        json.dumps({"bos_token_id": ids["<|endoftext|>"], "eos_token_id": ids["<|im_end|>"]})
    )
    (folder / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "PreTrainedTokenizerFast",
                "bos_token": None,
                "eos_token": "<|im_end|>",
                "pad_token": "<|endoftext|>",
                "unk_token": None,
                "model_max_length": MAX_POSITIONS,
                "chat_template": CHAT_TEMPLATE,
                "added_tokens_decoder": {
                    str(i): {
                        "content": t,
                        "special": True,
                        "normalized": False,
                        "lstrip": False,
                        "rstrip": False,
                        "single_word": False,
                    }
                    for t, i in ids.items()
                },
            },
            indent=2,
        )
    )
    return folder


def build_tiny_model(folder: Path, vocab_size: int = 1024, seed: int = 0) -> Path:
    """Write the whole model folder (tokenizer, config, random weights) and return it."""
    from safetensors.numpy import save_file

    build_tokenizer(folder, vocab_size)
    vocab = json.loads((folder / "config.json").read_text())["vocab_size"]
    save_file(_weights(vocab, seed), str(folder / "model.safetensors"), metadata={"format": "pt"})
    return folder
