"""The run behind ``python -m experiments.handwriting.train`` (train.py parses its flags, before JAX loads).

Handwriting prediction and synthesis (Graves 2013, sections 4 and 5) on synthetic pen trajectories of Shakespeare.
"""

from __future__ import annotations

import math
import pathlib
from typing import Any

import jax
import jax.numpy as jnp
import matplotlib
import numpy as np

from experiments.handwriting.config import HandwritingConfig
from experiments.handwriting.input_pipeline import START, Splits, batch_of, make_batch_at, shakespeare_lines
from seqjax import core, train
from seqjax.data.handwriting import strokes_of
from seqjax.models import mixture_density
from seqjax.models.handwriting import ConditionalHandwritingModel, HandwritingModel, sample_strokes, write_text

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


Model = HandwritingModel | ConditionalHandwritingModel


def model_inputs(model: Model, batch: dict) -> tuple:
    """The arguments of ``model.apply`` (and ``init``) after the parameters, for ``batch``."""
    if isinstance(model, ConditionalHandwritingModel):
        return batch["inputs"], batch["text"], batch["text_lengths"], batch["lengths"]
    return batch["inputs"], batch["lengths"]


def summed_log_likelihood(model: Model, params: Any, batch: dict) -> tuple[jax.Array, jax.Array]:
    """``(sum of log p over the real points, their number)``."""
    mixture = model.apply(params, *model_inputs(model, batch))[0]
    log_p = mixture_density.log_likelihood(mixture, batch["targets"])
    real = core.real_steps(batch["lengths"], *log_p.shape)
    return jnp.sum(log_p * real), jnp.sum(real)


def make_evaluation(model: Model, examples: list, scale: float):
    """``params -> {"nll_per_point", "nll_per_sequence"}`` on ``examples``, converted to font units:
    each point's offset density gains ``2 log(scale)`` nats."""
    batch = batch_of(examples)
    total = jax.jit(lambda params: summed_log_likelihood(model, params, batch)[0])
    points = int(batch["lengths"].sum())

    def evaluate(params: Any) -> dict[str, float]:
        nll = -float(total(params)) + 2.0 * math.log(scale) * points
        return {"nll_per_point": nll / points, "nll_per_sequence": nll / len(examples)}

    return evaluate


def independent_baseline(splits: Splits) -> dict[str, float]:
    """One Gaussian for every offset and one end-of-stroke rate, ignoring the past (nats, font units)."""
    train_points, valid_points = np.concatenate(splits.train.points), np.concatenate(splits.valid.points)
    mean, covariance = train_points[:, :2].mean(0), np.cov(train_points[:, :2].T)
    d = valid_points[:, :2] - mean
    log_gauss = (-np.log(2 * np.pi) - 0.5 * np.log(np.linalg.det(covariance))
                 - 0.5 * np.einsum("ni,ij,nj->n", d, np.linalg.inv(covariance), d))
    rate = train_points[:, 2].mean()
    log_end = np.where(valid_points[:, 2] > 0.5, np.log(rate), np.log(1 - rate))
    nll = -(log_gauss + log_end).sum()
    return {"nll_per_point": float(nll / len(valid_points)), "nll_per_sequence": float(nll / len(splits.valid.points))}


def plot_samples(panels: list[tuple[str, np.ndarray, int]], path: pathlib.Path) -> None:
    """One row per ``(title, points [n, 3] in font units, primer points)``; the primer in grey."""
    figure, axes = plt.subplots(len(panels), 1, figsize=(9, 1.6 * len(panels)))
    for axis, (title, points, primer) in zip(np.atleast_1d(axes), panels):
        for stroke in strokes_of(points):
            axis.plot(stroke[:, 0], stroke[:, 1], color="black", linewidth=1)
        if primer:
            for stroke in strokes_of(points[:primer]):
                axis.plot(stroke[:, 0], stroke[:, 1], color="tab:gray", linewidth=2.5, alpha=0.6)
        axis.set_aspect("equal")
        axis.axis("off")
        axis.set_title(title, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=70)
    plt.close(figure)


def plot_window(phi: np.ndarray, text: str, path: pathlib.Path) -> None:
    """The soft window's weight on each character (rows) at each pen point (columns)."""
    figure, axis = plt.subplots(figsize=(8, 2.5))
    axis.imshow(phi[:, : len(text)].T, aspect="auto", origin="lower", cmap="Greys", interpolation="nearest")
    axis.set_yticks(range(len(text)), [repr(c)[1:-1] or " " for c in text], fontsize=7)
    axis.set_xlabel("pen point")
    axis.set_title(f"window weights while writing {text!r}", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=70)
    plt.close(figure)


def draw_written(model: ConditionalHandwritingModel, params: Any, splits: Splits, config: HandwritingConfig,
                 run_dir: pathlib.Path) -> None:
    units = np.array([splits.scale, splits.scale, 1.0], np.float32)
    text = splits.alphabet.encode(list(config.sample_text))
    prime, prime_text = splits.examples("valid")[0]
    key, panels = jax.random.key(config.seed), []
    for bias, primed in ((0.0, False), (config.bias, False), (config.bias, True)):
        key, draw = jax.random.split(key)
        options = {"prime": prime, "prime_text": prime_text} if primed else {}
        points, phi, count = write_text(model, params, text, draw, max_points=config.sample_points, bias=bias,
                                        **options)
        points, phi = np.asarray(points)[: int(count)], np.asarray(phi)[: int(count)]
        style = f", in the style of {splits.valid.texts[0]!r} ({splits.valid.styles[0].font})" if primed else ""
        panels.append((f"{config.sample_text!r}, bias {bias}{style}: {int(count)} points", points * units, 0))
        if bias == 0.0:
            plot_window(phi, config.sample_text, run_dir / "window.png")
    plot_samples(panels, run_dir / "samples.png")


def draw_samples(model: HandwritingModel, params: Any, splits: Splits, config: HandwritingConfig,
                 path: pathlib.Path) -> None:
    units = np.array([splits.scale, splits.scale, 1.0], np.float32)
    key = jax.random.key(config.seed)
    panels = []
    for bias in (0.0, config.bias):
        key, draw = jax.random.split(key)
        points = sample_strokes(model, params, START, draw, length=config.sample_points, bias=bias)
        panels.append((f"unconditional, bias {bias}", np.asarray(points) * units, 0))
    for line in range(2):
        prime = splits.normalised(splits.valid.points[line])[: len(splits.valid.points[line]) // 2]
        key, draw = jax.random.split(key)
        points = sample_strokes(model, params, np.concatenate([START, prime]), draw,
                                length=config.sample_points // 2, bias=config.bias)
        both = np.concatenate([prime, np.asarray(points)]) * units
        panels.append((f"primed with half of {splits.valid.texts[line]!r} ({splits.valid.styles[line].font}), "
                       f"then sampled, bias {config.bias}", both, len(prime)))
    plot_samples(panels, path)


def run(config: HandwritingConfig, texts: list[str] | None = None) -> dict[str, Any]:
    """Trains and evaluates; ``texts`` replaces the Shakespeare lines."""
    splits = Splits.write(texts or shakespeare_lines(config.data_dir, config.download), config.train_lines,
                          config.valid_lines, config.seed)
    examples = {name: splits.examples(name) for name in ("train", "valid")}
    if config.conditional:
        model = ConditionalHandwritingModel(splits.alphabet.size, config.hidden_size, config.num_layers,
                                            config.num_components, config.window_components)
    else:
        model = HandwritingModel(config.hidden_size, config.num_layers, config.num_components)
    batch_at, per_epoch = make_batch_at(examples["train"], config.batch_size, config.seed)

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        log_p, points = summed_log_likelihood(model, params, batch)
        return -log_p / points

    loop = train.LoopConfig(
        steps=config.epochs * per_epoch, log_every=per_epoch, eval_every=per_epoch, checkpoint_every=per_epoch,
        checkpoints=train.CheckpointConfig(keep_last=1, best_metric="nll_per_point", best_mode="min"),
        progress=False,
    )
    run_dir = pathlib.Path(config.run_dir)
    evaluate = make_evaluation(model, examples["valid"], splits.scale)
    fitted = train.fit(
        lambda key: model.init(key, *model_inputs(model, batch_at(0))), loss_fn, batch_at, run_dir, loop=loop,
        optimizer=train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm), seed=config.seed,
        evaluate=evaluate, config=config, may_change=("epochs", "sample_points", "bias", "sample_text"),
    )
    if config.conditional:
        draw_written(model, fitted.params, splits, config, run_dir)
    else:
        draw_samples(model, fitted.params, splits, config, run_dir / "samples.png")
    results = {
        **fitted.summary(),
        "valid": evaluate(fitted.params),
        "independent_baseline": independent_baseline(splits),
        "points_per_line": float(np.mean([len(p) for p in splits.valid.points])),
        "scale": splits.scale,
    }
    train.write_results(run_dir, results, config)
    print(f"valid: {results['valid']['nll_per_sequence']:.1f} nats per line, {results['valid']['nll_per_point']:.3f} "
          f"per point (independent baseline {results['independent_baseline']['nll_per_point']:.3f})")
    print(f"training {fitted.train_wall_s:.0f} s; results and samples.png in {run_dir}")
    return results
