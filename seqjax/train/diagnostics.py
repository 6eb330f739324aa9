"""Vanishing and exploding gradients, diagnosed: ``||dL_t/dh_k||`` for every ``k <= t``.

Works for any core cell whose output is its hidden state ``hidden_of(carry)`` (all but the LRU,
whose output is a readout of its complex state). A zero perturbation ``e_k`` is added to the hidden state after every step ``k``
(``h_k + e_k``); the derivative of the step-``t`` loss with respect to ``e_k`` is
``dL_t/dh_k``. One reverse pass, vectorised over the ``time`` step losses (``jax.vmap`` of
one VJP), gives all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.core.cell import Cell
from seqjax.errors import bad_argument

StepLosses = Callable[[jax.Array], jax.Array]


def perturbed_step_losses(
    cell: Cell,
    params: Any,
    inputs: jax.Array,
    step_losses: StepLosses,
    perturbations: jax.Array,
    initial_carry: Any = None,
) -> jax.Array:
    """The per-step losses ``[time]`` when ``perturbations[:, k]`` is added to the hidden state after step ``k``.

    Args:
      cell, params: a built-in cell and its parameters.
      inputs: ``[batch, time, input]``.
      step_losses: ``hiddens [batch, time, hidden] -> [time]``, the loss of each step
        (e.g. a readout's cross-entropy at every step, summed over the batch).
      perturbations: ``[batch, time, hidden]`` (zeros for the unperturbed network).
      initial_carry: the carry before the first step (zeros when None).
    """
    batch, _, _ = inputs.shape
    hidden_size = perturbations.shape[-1]
    carry = cell.zero_carry(hidden_size, (batch,), inputs.dtype) if initial_carry is None else initial_carry

    def body(carry: Any, step: tuple[jax.Array, jax.Array]) -> tuple[Any, jax.Array]:
        x_t, e_t = step
        carry, _ = cell.step(params, carry, cell.project_inputs(params, x_t))
        _, place_in_hidden = jax.vjp(cell.hidden_of, carry)  # puts a [batch, hidden] array in the hidden slot
        carry = jax.tree.map(jnp.add, carry, place_in_hidden(e_t)[0])
        return carry, cell.hidden_of(carry)

    _, hiddens = jax.lax.scan(body, carry, (jnp.swapaxes(inputs, 0, 1), jnp.swapaxes(perturbations, 0, 1)))
    return step_losses(jnp.swapaxes(hiddens, 0, 1))


def _batched_shape(inputs: jax.Array) -> tuple[int, int, int]:
    """``inputs.shape``, which must be ``[batch, time, input]``."""
    if jnp.ndim(inputs) != 3:
        raise bad_argument("inputs", "[batch, time, input] (rank 3; add a batch axis of 1 for one sequence)",
                           f"shape {tuple(jnp.shape(inputs))}")
    return tuple(inputs.shape)


def hidden_gradient_norms(
    cell: Cell, params: Any, inputs: jax.Array, step_losses: StepLosses, initial_carry: Any = None
) -> jax.Array:
    """``norms [time, time]`` with ``norms[t, k] = ||dL_t/dh_k||`` (over batch and units; 0 for ``k > t``).

    Arguments as in ``perturbed_step_losses``; ``hidden`` is read from the parameters.
    """
    batch, time, _ = _batched_shape(inputs)
    zeros = jnp.zeros((batch, time, cell.sizes(params)[1]), inputs.dtype)
    losses, vjp = jax.vjp(
        lambda e: perturbed_step_losses(cell, params, inputs, step_losses, e, initial_carry), zeros
    )
    (jacobian,) = jax.vmap(vjp)(jnp.eye(time, dtype=losses.dtype))  # [t, batch, k, hidden]
    return jnp.sqrt(jnp.sum(jnp.square(jacobian), axis=(1, 3)))


def loss_gradient_norms(
    cell: Cell, params: Any, inputs: jax.Array, loss: Callable[[jax.Array], jax.Array], initial_carry: Any = None
) -> jax.Array:
    """``norms [time]`` with ``norms[k] = ||dL/dh_k||`` (over batch and units) for one scalar loss.

    One reverse pass, so it suits long sequences whose loss is read at the end: with
    ``loss = lambda hiddens: readout_loss(hiddens[:, -1])``, ``norms[::-1]`` is
    ``||dL_T/dh_k||`` against ``T - k``. ``loss``: ``hiddens [batch, time, hidden] -> []``;
    other arguments as in ``perturbed_step_losses``.
    """
    batch, time, _ = _batched_shape(inputs)
    zeros = jnp.zeros((batch, time, cell.sizes(params)[1]), inputs.dtype)
    gradient = jax.grad(lambda e: perturbed_step_losses(cell, params, inputs, loss, e, initial_carry))(zeros)
    return jnp.sqrt(jnp.sum(jnp.square(gradient), axis=(0, 2)))


def gradient_norm_by_distance(norms: jax.Array) -> np.ndarray:
    """``[time]``: the mean of ``norms[t, t - d]`` over ``t``, for each distance ``d = t - k``."""
    norms = np.asarray(norms, np.float64)
    time = norms.shape[0]
    return np.array([np.mean(np.diagonal(norms, offset=-d)) for d in range(time)])


def plot_gradient_norm_by_distance(curves: Mapping[str, np.ndarray], path: str, title: str = "") -> None:
    """Draws ``||dL_t/dh_k||`` against ``t - k`` on a log scale, one line per entry of ``curves``."""
    from matplotlib.figure import Figure  # drawn without pyplot: no global backend is changed

    figure = Figure(figsize=(6, 4))
    axis = figure.subplots()
    for label, curve in curves.items():
        axis.semilogy(np.arange(len(curve)), np.maximum(curve, np.finfo(np.float64).tiny), label=label)
    axis.set_xlabel("t - k (steps back)")
    axis.set_ylabel("||dL_t / dh_k||")
    axis.set_title(title or "gradient reaching the hidden state k steps back")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
