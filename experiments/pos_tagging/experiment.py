"""The run behind ``python -m experiments.pos_tagging.train`` (train.py parses its flags, before JAX loads).

Part-of-speech tagging of UD English LinES with a bidirectional LSTM: train, then evaluate.
"""

from __future__ import annotations

import pathlib
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.pos_tagging.config import TaggingConfig
from experiments.pos_tagging.input_pipeline import EncodedSplit, Lexicons, encode, make_batch_at
from seqjax import core, models, train
from seqjax.data.conllu import UPOS_TAGS, load_ud_english_lines


def make_model(config: TaggingConfig, lexicons: Lexicons) -> models.WordTagger:
    return models.WordTagger(
        vocab_size=lexicons.words.size, num_tags=len(UPOS_TAGS), embed_size=config.embed_size,
        hidden_size=config.hidden_size, num_layers=config.num_layers,
        char_vocab_size=lexicons.chars.size if config.char_features else 0, dropout_rate=config.dropout_rate,
    )


def _inputs(batch: dict) -> tuple:
    return batch["words"], batch["lengths"], batch["chars"], batch["char_lengths"]


def make_accuracy(model: models.WordTagger, split: EncodedSplit, batch_size: int = 256):
    """``params -> {"accuracy", "unseen_accuracy"}`` over every real word of ``split``."""

    @jax.jit
    def counts(params: Any, batch: dict) -> jax.Array:
        predicted = jnp.argmax(model.apply(params, *_inputs(batch)), axis=-1)
        real = core.real_steps(batch["lengths"], *batch["words"].shape)
        right = (predicted == batch["tags"]) & real
        unseen = batch["unseen"] & real
        return jnp.array([right.sum(), real.sum(), (right & unseen).sum(), unseen.sum()])

    def accuracy(params: Any) -> dict[str, float]:
        total = np.zeros(4)
        for start in range(0, len(split.lengths), batch_size):
            total += np.asarray(counts(params, split.batch(np.arange(start, min(start + batch_size, len(split.lengths))))))
        return {"accuracy": total[0] / total[1], "unseen_accuracy": total[2] / max(total[3], 1)}

    return accuracy


def run(config: TaggingConfig, splits: dict | None = None) -> dict[str, Any]:
    """Trains and evaluates; ``splits`` (``{"train", "dev", "test"}`` sentence lists) replaces the treebank."""
    fetch = {"download": config.download, "download_option": "--download"}
    splits = splits or {name: load_ud_english_lines(name, config.data_dir, **fetch) for name in ("train", "dev", "test")}
    lexicons = Lexicons.from_training(splits["train"], config.min_word_count)
    training_words = {w.lower() for s in splits["train"] for w in s.words}
    encoded = {name: encode(sentences, lexicons, training_words) for name, sentences in splits.items()}
    model = make_model(config, lexicons)
    batch_at, per_epoch = make_batch_at(encoded["train"], config.batch_size, config.seed)

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        logits = model.apply(params, *_inputs(batch), deterministic=False, rngs={"dropout": rng})
        return train.sequence_cross_entropy(logits, batch["tags"], batch["lengths"])

    dev_accuracy = make_accuracy(model, encoded["dev"])
    loop = train.LoopConfig(
        steps=config.epochs * per_epoch, log_every=per_epoch // 2, eval_every=per_epoch, checkpoint_every=per_epoch,
        checkpoints=train.CheckpointConfig(keep_last=1, best_metric="accuracy", best_mode="max"),
    )
    run_dir = pathlib.Path(config.run_dir)
    fitted = train.fit(
        lambda key: model.init(key, *_inputs(batch_at(0))), loss_fn, batch_at, run_dir, loop=loop,
        optimizer=train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm), seed=config.seed,
        evaluate=dev_accuracy, config=config, may_change=("epochs",),
    )
    results = {
        **fitted.summary(),
        "vocabulary": {"words": lexicons.words.size, "chars": lexicons.chars.size},
        "dev": dev_accuracy(fitted.params),
        "test": make_accuracy(model, encoded["test"])(fitted.params),
    }
    path = train.write_results(run_dir, results, config)
    lexicons.words.save(run_dir / "words.json")
    lexicons.chars.save(run_dir / "chars.json")
    for name in ("dev", "test"):
        print(f"{name}: UPOS accuracy {100 * results[name]['accuracy']:.2f} %, on words unseen in training "
              f"{100 * results[name]['unseen_accuracy']:.2f} %")
    print(f"best dev epoch {results['best_step'] // per_epoch} of {config.epochs}; training "
          f"{fitted.train_wall_s:.0f} s; results in {path}")
    return results
