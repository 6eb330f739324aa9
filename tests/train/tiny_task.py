"""A tiny truncated-BPTT task the engine tests train, in process or as a subprocess.

Task: a stream of random 4-d vectors; at every step predict the sum of the current and the
previous vector's first entries (needs the carried state). An LSTM of 8 units, chunks of
6 steps, batch 8, the state carried from chunk to chunk and reset every 5th chunk.

As a script: ``python -m tests.train.tiny_task RUN_DIR --steps N [--checkpoint-every K]``
trains with checkpoints in RUN_DIR (resuming from them) and writes the final parameters to
``RUN_DIR/final_params.npz``; ``python -m seqjax.launch --local 2 -- python -m
tests.train.tiny_task ...`` trains it as 2 processes.
"""

from __future__ import annotations

import argparse
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

from seqjax import core, nn, train

BATCH, CHUNK, FEATURES, HIDDEN = 8, 6, 4, 8
MODEL = nn.LSTM(HIDDEN)


def batch_at(step: int) -> dict[str, jax.Array]:
    """The chunk of the stream at ``step``: inputs ``x [batch, chunk, features]``, targets ``y``."""
    x = jax.random.normal(jax.random.fold_in(jax.random.key(7), step), (BATCH, CHUNK + 1, FEATURES))
    return {
        "x": x[:, 1:],
        "y": x[:, 1:, 0] + x[:, :-1, 0],
        "reset": jnp.full((BATCH,), step % 5 == 0),
    }


def loss_fn(params, batch, carry, rng):
    del rng
    outputs, carry = MODEL.apply(params, batch["x"], None, carry)
    prediction = jnp.sum(outputs, axis=-1)
    return jnp.mean(jnp.square(prediction - batch["y"])), carry


LOSS = train.carrying(loss_fn)


def initial_state(seed: int = 0, learning_rate: float = 1e-2) -> train.TrainState:
    params = MODEL.init(jax.random.key(seed), jnp.zeros((BATCH, CHUNK, FEATURES)))
    optimizer = train.make_optimizer(train.OptimizerConfig(learning_rate=learning_rate, max_grad_norm=1.0))
    carry = core.LSTMCell().zero_carry(HIDDEN, (BATCH,))
    return train.TrainState.create(params, optimizer, jax.random.key(seed + 1), carry)


def flat_params(state: train.TrainState) -> np.ndarray:
    return np.concatenate([np.asarray(leaf, np.float64).ravel() for leaf in jax.tree.leaves(state.params)])


def main() -> None:
    """Trains through ``train.fit`` (the experiments' skeleton); started by ``seqjax.launch``,
    as one of its processes (each reads its rows of every batch, process 0 writes the result)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir")
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--checkpoint-every", type=int, default=None)
    args = parser.parse_args()
    train.initialize_distributed(train.distributed.from_environment())
    config = train.LoopConfig(steps=args.steps, checkpoint_every=args.checkpoint_every, progress=False, log_every=50)
    fitted = train.fit(
        lambda key: MODEL.init(key, jnp.zeros((BATCH, CHUNK, FEATURES))), LOSS, batch_at, args.run_dir, loop=config,
        optimizer=train.OptimizerConfig(learning_rate=1e-2, max_grad_norm=1.0), seed=0,
        carry=core.LSTMCell().zero_carry(HIDDEN, (BATCH,)),
    )
    if train.is_main_process():
        np.savez(pathlib.Path(args.run_dir) / "final_params.npz", params=flat_params(fitted.last),
                 devices=jax.device_count(), processes=jax.process_count())


if __name__ == "__main__":
    main()
