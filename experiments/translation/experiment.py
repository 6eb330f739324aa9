"""The run behind ``python -m experiments.translation.train`` (train.py parses its flags, before JAX loads).

Multi30k translation (German -> English by default) with a GRU encoder-decoder and attention.
"""

from __future__ import annotations

import pathlib
import time
from typing import Any

import jax
import numpy as np
import optax
import sacrebleu

from experiments.translation.config import TranslationConfig
from experiments.translation.input_pipeline import EncodedPairs, Pairs, Tokenizers, make_batch_at
from seqjax import models, train
from seqjax.data.lexicon import round_up
from seqjax.data.multi30k import load_parallel
from seqjax.data.subwords import BOS_ID, EOS_ID


def make_model(config: TranslationConfig, tokenizers: Tokenizers) -> models.Translator:
    return models.Translator(
        source_vocab_size=tokenizers.source.size, target_vocab_size=tokenizers.target.size,
        embed_size=config.embed_size, encoder_size=config.encoder_size, decoder_size=config.decoder_size,
        cell=config.cell, score=config.score, dropout_rate=config.dropout_rate,
    )


def max_target_length(source_time: int) -> int:
    """Decoding steps for sources padded to ``source_time``: 1.5 times as long, plus 8, in multiples of 8."""
    return round_up(source_time + source_time // 2 + 8, 8)


def make_translator(model: models.Translator, tokenizers: Tokenizers, pairs: EncodedPairs, batch_size: int):
    """``(params, beam_width, alpha) -> hypotheses``: the decoded target sentences of ``pairs``, in order."""

    def translate_all(params: Any, beam_width: int = 1, alpha: float = 0.0) -> list[str]:
        hypotheses = [""] * len(pairs.source)
        for rows, batch in pairs.source_batches(batch_size):
            tokens = models.translate(
                model, params, batch["source"], batch["source_lengths"],
                max_length=max_target_length(batch["source"].shape[1]), start_id=BOS_ID, end_id=EOS_ID,
                beam_width=beam_width, alpha=float(alpha),
            )
            for row, ids in zip(rows, np.asarray(tokens)):
                hypotheses[row] = tokenizers.target.decode(ids)
        return hypotheses

    return translate_all


def corpus_bleu(hypotheses: list[str], references: list[str]) -> float:
    """sacreBLEU (13a tokenisation, cased) of ``hypotheses`` against one reference each."""
    return sacrebleu.corpus_bleu(hypotheses, [references]).score


def run(config: TranslationConfig, splits: dict[str, Pairs] | None = None) -> dict[str, Any]:
    """Trains and evaluates; ``splits`` (``{"train", "val", "test"}`` sentence pairs) replaces Multi30k."""
    splits = splits or {
        name: load_parallel(split, config.source, config.target, config.data_dir, download=config.download,
                            download_option="--download")
        for name, split in (("train", "train"), ("val", "val"), ("test", "test_2016_flickr"))
    }
    run_dir = pathlib.Path(config.run_dir)
    tokenizers = Tokenizers.learned_or_loaded(splits["train"], config.vocab_size, run_dir)
    encoded = {name: EncodedPairs.encode(pairs, tokenizers, config.max_pieces) for name, pairs in splits.items()}
    model = make_model(config, tokenizers)
    batch_at, per_epoch = make_batch_at(encoded["train"], config.batch_size, config.seed)
    first = batch_at(0)
    steps = config.epochs * per_epoch
    schedule = optax.cosine_decay_schedule(config.learning_rate, steps, alpha=0.1)

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        logits = model.apply(params, batch["source"], batch["source_lengths"], batch["target_inputs"],
                             deterministic=False, rngs={"dropout": rng})
        return train.sequence_cross_entropy(logits, batch["target_outputs"], batch["target_lengths"],
                                            label_smoothing=config.label_smoothing)

    translate = {name: make_translator(model, tokenizers, encoded[name], config.decode_batch_size)
                 for name in ("val", "test")}

    def evaluate(params: Any) -> dict[str, float]:
        return {"bleu": corpus_bleu(translate["val"](params), encoded["val"].references)}

    loop = train.LoopConfig(
        steps=steps, log_every=max(per_epoch // 4, 1), eval_every=per_epoch, checkpoint_every=per_epoch,
        checkpoints=train.CheckpointConfig(keep_last=1, best_metric="bleu", best_mode="max"),
    )
    fitted = train.fit(
        lambda key: model.init(key, first["source"], first["source_lengths"], first["target_inputs"]),
        loss_fn, batch_at, run_dir, loop=loop, optimizer=train.OptimizerConfig("adam", schedule, config.max_grad_norm),
        seed=config.seed, evaluate=evaluate, config=config,
        may_change=("beam_width", "length_penalty", "decode_batch_size"),
    )
    params = fitted.params
    results: dict[str, Any] = {
        **fitted.summary(),
        "vocabulary": {"source": tokenizers.source.size, "target": tokenizers.target.size},
    }
    for search, beam_width in (("greedy", 1), ("beam", config.beam_width)):
        began = time.perf_counter()
        hypotheses = {name: translate[name](params, beam_width, config.length_penalty) for name in ("val", "test")}
        results[search] = {
            "val_bleu": corpus_bleu(hypotheses["val"], encoded["val"].references),
            "test_bleu": corpus_bleu(hypotheses["test"], encoded["test"].references),
            "decode_wall_s": time.perf_counter() - began,
        }
        (run_dir / f"test.{search}.txt").write_text("\n".join(hypotheses["test"]) + "\n")
    train.write_results(run_dir, results, config)
    for search in ("greedy", "beam"):
        print(f"{search}: sacreBLEU val {results[search]['val_bleu']:.2f}, test_2016_flickr "
              f"{results[search]['test_bleu']:.2f}")
    print(f"training {fitted.train_wall_s:.0f} s; results in {run_dir / 'results.json'}")
    return results
