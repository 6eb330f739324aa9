"""The run behind ``python -m experiments.delayed_echo.train`` (train.py parses its flags, before JAX loads).

Delayed echo: an LSTM learns to output, at every step, the symbol it read ``delay`` steps ago.
"""

from __future__ import annotations

import math
import time

import jax
import jax.numpy as jnp
import optax

from experiments.delayed_echo.config import Config
from seqjax import core, models, nn, train


def make_batch(key: jax.Array, config: Config) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Random symbols, their one-hot inputs ``[batch, time, vocab]`` and targets ``[batch, time]``.

    The target at step ``t`` is the symbol at ``t - delay``, and 0 for the first ``delay`` steps;
    sequence lengths are random in ``[delay + 1, time_steps]``.
    """
    symbols_key, lengths_key = jax.random.split(key)
    symbols = jax.random.randint(symbols_key, (config.batch_size, config.time_steps), 0, config.vocab_size)
    targets = jnp.pad(symbols, ((0, 0), (config.delay, 0)))[:, : config.time_steps]
    lengths = jax.random.randint(lengths_key, (config.batch_size,), config.delay + 1, config.time_steps + 1)
    return jax.nn.one_hot(symbols, config.vocab_size), targets, lengths


def main(config: Config) -> float:
    model = models.SequenceTagger(encoder=nn.LSTM(config.hidden_size), num_labels=config.vocab_size)
    optimizer = train.make_optimizer(
        train.OptimizerConfig(learning_rate=config.learning_rate, max_grad_norm=config.max_grad_norm)
    )
    init_key, data_key = jax.random.split(jax.random.key(config.seed))
    inputs, _, lengths = make_batch(data_key, config)
    params = model.init(init_key, inputs, lengths)
    opt_state = optimizer.init(params)

    @jax.jit
    def train_step(params, opt_state, key):
        inputs, targets, lengths = make_batch(key, config)

        def loss_fn(params):
            return train.sequence_cross_entropy(model.apply(params, inputs, lengths), targets, lengths)

        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    print(f"delayed echo: vocab {config.vocab_size}, delay {config.delay}, chance loss "
          f"{math.log(config.vocab_size):.3f} nats; LSTM {config.hidden_size} units, "
          f"{core.count_parameters(params):,} parameters")
    start = time.perf_counter()
    for step in range(1, config.steps + 1):
        params, opt_state, loss = train_step(params, opt_state, jax.random.fold_in(data_key, step))
        if step % config.log_every == 0 or step == 1:
            norm = float(train.global_norm_before_clipping(opt_state))
            print(f"step {step:5d}  loss {float(loss):.4f}  grad norm {norm:.3f}  "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)
    return float(loss)
