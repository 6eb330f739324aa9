"""Polyphonic music (JSB chorales): an LSTM predicting the next 88-key frame, then a primed chorale.

    python -m experiments.music.train                      # the full run (--help for options)
    python -m experiments.music.train --cell gru --hidden-size 128

The model (``seqjax.models.LanguageModel`` on multi-hot frames) gives each key of the next
quarter-note step an independent Bernoulli (a sigmoid per key), the RNN baseline of
Boulanger-Lewandowski et al. 2012; the output biases start at the log-odds of each key's
training frequency. Trains on the 229 training chorales, keeps the checkpoint
best on the 76 validation chorales, and reports on the 77 test chorales the negative
log-likelihood per time step (nats, summed over keys) and the frame-level accuracy
``TP / (TP + FP + FN)`` of the frames predicted by thresholding at 0.5 (Bay et al. 2009).
Then continues the first ``--primer-steps`` steps of a test chorale for ``--sample-steps``
steps, sampling every key, and writes ``sample.mid`` and ``sample.png`` beside ``results.json``.
"""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seqjax import flags
from experiments.music.input_pipeline import batch_of, make_batch_at
from experiments.music.render import plot_piano_roll, write_midi
from seqjax import core, models, nn, train
from seqjax.data.chorales import NUM_KEYS, load_jsb_chorales
from seqjax.language_modeling import generate


@dataclasses.dataclass(frozen=True)
class MusicConfig:
    """Every option of a run (each is a command-line flag).

    Attributes:
      primer_steps: steps of a test chorale the samples start from.
      sample_steps: steps sampled after the primer.
      temperature: sampling temperature of the notes (0: each note on when p > 0.5).
    """

    cell: str = "lstm"
    hidden_size: int = 256
    num_layers: int = 1
    embed_size: int = 128
    dropout_rate: float = 0.3
    epochs: int = 40
    batch_size: int = 16
    learning_rate: float = 2e-3
    max_grad_norm: float = 5.0
    primer_steps: int = 8
    sample_steps: int = 56
    temperature: float = 1.0
    seed: int = 0
    data_dir: str | None = None
    run_dir: str = "runs/music"


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
    rolls = rolls or load_jsb_chorales(config.data_dir)
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


def parse_config(argv: list[str] | None = None) -> MusicConfig:
    return flags.parse(MusicConfig, argv, __doc__.splitlines()[0], {"cell": nn.CELL_NAMES})


if __name__ == "__main__":
    flags.run_command(run, parse_config)
