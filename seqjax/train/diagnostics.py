"""Vanishing and exploding gradients, diagnosed: ``||dL_t/dh_k||`` for every ``k <= t``.

Works for every core cell. A zero perturbation ``e_k`` is added to the hidden state
``hidden_of(carry)`` after every step ``k`` (``h_k + e_k``), and the step's output is read from
the perturbed state (the state itself, or a linear recurrent cell's ``readout`` of it: the
LRU's ``Re(h C) + x D``); the derivative of the step-``t`` loss with respect to ``e_k`` is
``dL_t/dh_k``. A complex state (the LRU's) gets a complex perturbation, and its norm counts
the real and the imaginary part. One reverse pass, vectorised over the ``time`` step losses
(``jax.vmap`` of one VJP), gives all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from seqjax.core.cell import Cell, LinearRecurrentCell
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
      cell: a built-in cell.
      params: its parameters.
      inputs: ``[batch, time, input]``.
      step_losses: ``outputs [batch, time, output] -> [time]``, the loss of each step from the
        cell's outputs (its hidden states, but for a cell with a ``readout``), e.g. a read-out
        layer's cross-entropy at every step, summed over the batch.
      perturbations: ``[batch, time, hidden]`` (zeros for the unperturbed network), of the
        hidden state's dtype (complex for the LRU).
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
        return carry, _output_of(cell, params, carry, x_t)

    _, outputs = jax.lax.scan(body, carry, (jnp.swapaxes(inputs, 0, 1), jnp.swapaxes(perturbations, 0, 1)))
    return step_losses(jnp.swapaxes(outputs, 0, 1))


def _output_of(cell: Cell, params: Any, carry: Any, step_inputs: jax.Array) -> jax.Array:
    """``[batch, output]``: the output of a step read from its (perturbed) carry."""
    hidden = cell.hidden_of(carry)
    return cell.readout(params, hidden, step_inputs) if isinstance(cell, LinearRecurrentCell) else hidden


def _zero_perturbations(cell: Cell, params: Any, inputs: jax.Array) -> jax.Array:
    """Zeros ``[batch, time, hidden]`` of the hidden state's dtype."""
    batch, time, _ = _batched_shape(inputs)
    hidden_size = cell.sizes(params)[1]
    return jnp.zeros((batch, time, hidden_size), cell.hidden_of(cell.zero_carry(hidden_size, (), inputs.dtype)).dtype)


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
    zeros = _zero_perturbations(cell, params, inputs)
    time = zeros.shape[1]
    losses, vjp = jax.vjp(
        lambda e: perturbed_step_losses(cell, params, inputs, step_losses, e, initial_carry), zeros
    )
    (jacobian,) = jax.vmap(vjp)(jnp.eye(time, dtype=losses.dtype))  # [t, batch, k, hidden]
    return jnp.sqrt(jnp.sum(jnp.square(jnp.abs(jacobian)), axis=(1, 3)))


def loss_gradient_norms(
    cell: Cell, params: Any, inputs: jax.Array, loss: Callable[[jax.Array], jax.Array], initial_carry: Any = None
) -> jax.Array:
    """``norms [time]`` with ``norms[k] = ||dL/dh_k||`` (over batch and units) for one scalar loss.

    One reverse pass, so it suits long sequences whose loss is read at the end: with
    ``loss = lambda outputs: readout_loss(outputs[:, -1])``, ``norms[::-1]`` is
    ``||dL_T/dh_k||`` against ``T - k``. ``loss``: ``outputs [batch, time, output] -> []``;
    other arguments as in ``perturbed_step_losses``.
    """
    zeros = _zero_perturbations(cell, params, inputs)
    gradient = jax.grad(lambda e: perturbed_step_losses(cell, params, inputs, loss, e, initial_carry))(zeros)
    return jnp.sqrt(jnp.sum(jnp.square(jnp.abs(gradient)), axis=(0, 2)))


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
