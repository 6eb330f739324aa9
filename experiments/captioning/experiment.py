"""The run behind ``python -m experiments.captioning.train`` (train.py parses its flags, before JAX loads).

Captioning composed Fashion-MNIST scenes: a CNN encoder and an LSTM decoder with attention.
"""

from __future__ import annotations

import pathlib
import textwrap
from typing import Any

import jax
import matplotlib
import numpy as np
import sacrebleu

from experiments.captioning.config import CaptioningConfig
from experiments.captioning.input_pipeline import (
    CAPTION_STEPS,
    END_ID,
    START_ID,
    EncodedScenes,
    caption_lexicon,
    make_batch_at,
    make_scenes,
)
from seqjax import models, train
from seqjax.data.lexicon import Lexicon
from seqjax.data.scenes import Scenes

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def make_captioner(model: models.Captioner, lexicon: Lexicon, scenes: EncodedScenes, batch_size: int = 250):
    """``(params, beam_width, alpha) -> captions`` of every scene in ``scenes``."""

    def caption_all(params: Any, beam_width: int = 1, alpha: float = 0.0) -> list[str]:
        captions = []
        for start in range(0, len(scenes.lengths), batch_size):
            tokens = models.generate_sequences(
                model, params, (scenes.images[start : start + batch_size],), max_length=CAPTION_STEPS,
                start_id=START_ID, end_id=END_ID, beam_width=beam_width, alpha=float(alpha),
            )
            for ids in np.asarray(tokens):
                words = lexicon.decode(ids[: np.argmax(ids == END_ID)] if END_ID in ids else ids[ids > 0])
                captions.append(" ".join(words))
        return captions

    return caption_all


def scores(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    return {
        "bleu4": sacrebleu.corpus_bleu(hypotheses, [references], tokenize="none").score,
        "exact_match": float(np.mean([h == r for h, r in zip(hypotheses, references)])),
    }


def plot_captions(images: np.ndarray, hypotheses: list[str], references: list[str], path: pathlib.Path) -> None:
    """Up to 6 right captions (top row) and 6 wrong ones (bottom row, in red, with the reference) over their scenes."""
    right = [i for i, (h, r) in enumerate(zip(hypotheses, references)) if h == r][:6]
    wrong = [i for i, (h, r) in enumerate(zip(hypotheses, references)) if h != r][:6]
    figure, axes = plt.subplots(2, 6, figsize=(15, 8))
    for axis in axes.flat:
        axis.axis("off")
    for axis, i in [*zip(axes[0], right), *zip(axes[1], wrong)]:
        axis.imshow(images[i], cmap="Greys")
        text = hypotheses[i] if i in right else f"{hypotheses[i]}\n(true: {references[i]})"
        axis.set_title("\n".join(textwrap.wrap(text, 30)), fontsize=7, color="black" if i in right else "tab:red")
    figure.tight_layout()
    figure.savefig(path, dpi=70)
    plt.close(figure)


def run(config: CaptioningConfig, scenes: dict[str, Scenes] | None = None) -> dict[str, Any]:
    """Trains and evaluates; ``scenes`` (``{"train", "valid", "test"}``) replaces the composed Fashion-MNIST scenes."""
    sizes = {"train": config.train_scenes, "valid": config.valid_scenes, "test": config.test_scenes}
    scenes = scenes or make_scenes(sizes, config.seed, config.data_dir)
    lexicon = caption_lexicon(scenes["train"].captions)
    encoded = {name: EncodedScenes.encode(split, lexicon) for name, split in scenes.items()}
    model = models.Captioner(vocab_size=lexicon.size, embed_size=config.embed_size, hidden_size=config.hidden_size,
                             attend=config.attend, dropout_rate=config.dropout_rate)
    batch_at, per_epoch = make_batch_at(encoded["train"], config.batch_size, config.seed)

    def loss_fn(params: Any, batch: dict, rng: jax.Array) -> jax.Array:
        logits = model.apply(params, batch["images"], batch["token_inputs"], deterministic=False,
                             rngs={"dropout": rng})
        return train.sequence_cross_entropy(logits, batch["token_outputs"], batch["lengths"])

    caption = {name: make_captioner(model, lexicon, encoded[name]) for name in ("valid", "test")}

    def evaluate(params: Any) -> dict[str, float]:
        return scores(caption["valid"](params), encoded["valid"].captions)

    loop = train.LoopConfig(
        steps=config.epochs * per_epoch, log_every=max(per_epoch // 4, 1), eval_every=per_epoch,
        checkpoint_every=per_epoch,
        checkpoints=train.CheckpointConfig(keep_last=1, best_metric="exact_match", best_mode="max"),
    )
    run_dir = pathlib.Path(config.run_dir)
    fitted = train.fit(
        lambda key: model.init(key, batch_at(0)["images"], batch_at(0)["token_inputs"]), loss_fn, batch_at, run_dir,
        loop=loop, optimizer=train.OptimizerConfig("adam", config.learning_rate, config.max_grad_norm),
        seed=config.seed, evaluate=evaluate, config=config,
        may_change=("epochs", "beam_width", "length_penalty"),
    )
    params = fitted.params
    results: dict[str, Any] = {**fitted.summary(), "vocabulary": lexicon.size}
    for search, beam_width in (("greedy", 1), ("beam", config.beam_width)):
        hypotheses = {name: caption[name](params, beam_width, config.length_penalty) for name in ("valid", "test")}
        results[search] = {name: scores(hypotheses[name], encoded[name].captions) for name in ("valid", "test")}
    plot_captions(scenes["test"].images, hypotheses["test"], encoded["test"].captions, run_dir / "captions.png")
    train.write_results(run_dir, results, config)
    for search in ("greedy", "beam"):
        for name in ("valid", "test"):
            print(f"{search} {name}: BLEU-4 {results[search][name]['bleu4']:.1f}, "
                  f"exact match {100 * results[search][name]['exact_match']:.1f} %")
    print(f"training {fitted.train_wall_s:.0f} s; results and captions.png in {run_dir}")
    return results
