"""The run behind ``python -m experiments.music.train`` (train.py parses its flags, before JAX loads).

Polyphonic music (JSB chorales): an LSTM predicting the next 88-key frame, then a primed chorale.
"""

from __future__ import annotations

import pathlib
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.music.config import MusicConfig
from experiments.music.input_pipeline import batch_of, make_batch_at
from experiments.music.render import plot_piano_roll, write_midi
from seqjax import core, models, train
from seqjax.data.chorales import NUM_KEYS, load_jsb_chorales
from seqjax.language_modeling import generate


def make_evaluation(model: models.LanguageModel, rolls: list[np.ndarray]):
    """``params -> {"nll", "frame_accuracy"}`` over every real step of ``rolls``."""
    batch = batch_of(rolls)

    @jax.jit
    def evaluate(params: Any) -> dict[str, jax.Array]:
        logits, _ = model.apply(params, batch["inputs"], batch["lengths"])
        real = core.real_steps(batch["lengths"], *batch["inputs"].shape[:2])[..., None]
        predicted, target = (logits > 0) & real, (batch["targets"] > 0.5) & real
        hits = jnp.sum(predicted & target)
        return {
            "nll": train.sequence_bernoulli_nll(logits, batch["targets"], batch["lengths"]),
            "frame_accuracy": hits / (jnp.sum(predicted) + jnp.sum(target) - hits),
        }

    return lambda params: {name: float(value) for name, value in evaluate(params).items()}


def key_frequencies(rolls: list[np.ndarray]) -> np.ndarray:
    """``[88]``: how often each key sounds in ``rolls``, kept within ``[1e-4, 1 - 1e-4]``."""
    return np.clip(np.concatenate(rolls).mean(axis=0), 1e-4, 1 - 1e-4)


def key_frequency_nll(train_rolls: list[np.ndarray], test_rolls: list[np.ndarray]) -> float:
    """The trivial baseline: each key on with its training frequency, whatever came before (nats per step)."""
    rate = key_frequencies(train_rolls)
    frames = np.concatenate([roll[1:] for roll in test_rolls])
    return float(-(frames * np.log(rate) + (1 - frames) * np.log(1 - rate)).sum(axis=1).mean())


def run(config: MusicConfig, rolls: dict[str, list[np.ndarray]] | None = None) -> dict[str, Any]:
    """Trains and evaluates; ``rolls`` (``{"train", "valid", "test"}`` piano rolls) replaces the chorales."""
    rolls = rolls or load_jsb_chorales(config.data_dir, download=config.download, download_option="--download")
    model = models.LanguageModel(vocab_size=NUM_KEYS, cell=config.cell, hidden_size=config.hidden_size,
                                 num_layers=config.num_layers, embed_size=config.embed_size,
                                 dropout_rate=config.dropout_rate)
    batch_at, per_epoch = make_batch_at(rolls["train"], config.batch_size, config.seed)
    rate = key_frequencies(rolls["train"])  # start from the key-frequency baseline, not p = 0.5 for every key

    def init(key: jax.Array) -> Any:
        params = model.init(key, batch_at(0)["inputs"], batch_at(0)["lengths"])
        params["params"]["head"]["bias"] = jnp.asarray(np.log(rate / (1 - rate)), jnp.float32)
        return params

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        logits, _ = model.apply(params, batch["inputs"], batch["lengths"], deterministic=False, rngs={"dropout": rng})
        return train.sequence_bernoulli_nll(logits, batch["targets"], batch["lengths"])

    loop = train.LoopConfig(
        steps=config.epochs * per_epoch, log_every=per_epoch, eval_every=per_epoch, checkpoint_every=per_epoch,
        checkpoints=train.CheckpointConfig(keep_last=1, best_metric="nll", best_mode="min"), progress=False,
    )
    run_dir = pathlib.Path(config.run_dir)
    evaluate_valid = make_evaluation(model, rolls["valid"])
    fitted = train.fit(
        init, loss_fn, batch_at, run_dir, loop=loop, seed=config.seed, evaluate=evaluate_valid, config=config,
        optimizer=train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm), may_change=("epochs",),
    )
    params = fitted.params

    primer = rolls["test"][0][: config.primer_steps]
    continuation = generate(model, params, jnp.asarray(primer), jax.random.key(config.seed),
                            length=config.sample_steps, temperature=config.temperature)
    sample = np.concatenate([primer, np.asarray(continuation)])
    write_midi(sample, run_dir / "sample.mid")
    plot_piano_roll(sample, run_dir / "sample.png", primer_steps=config.primer_steps,
                    title=f"{config.primer_steps} steps of test chorale 0, then {config.sample_steps} sampled steps")
    results = {
        **fitted.summary(),
        "valid": evaluate_valid(params),
        "test": make_evaluation(model, rolls["test"])(params),
        "test_key_frequency_nll": key_frequency_nll(rolls["train"], rolls["test"]),
        "sample_keys_per_step": float(np.asarray(continuation).sum(axis=1).mean()),
    }
    train.write_results(run_dir, results, config)
    print(f"test: {results['test']['nll']:.3f} nats per step (key-frequency baseline "
          f"{results['test_key_frequency_nll']:.3f}), frame accuracy {100 * results['test']['frame_accuracy']:.1f} %")
    print(f"training {fitted.train_wall_s:.0f} s; results, sample.mid and sample.png in {run_dir}")
    return results
