"""``Dense``: ``flax.linen.Dense`` computed on its inputs flattened to ``[rows, features]``.

On ``[batch, time, features]`` inputs, linen's ``Dense`` is one ``dot_general`` whose weight
gradient contracts two dimensions, which XLA's CPU backend runs 1.6–1.9× slower (forward +
backward) than the same layer on the inputs flattened to ``[batch * time, features]``
(``BENCHMARKS.md``, "Projections as 2-D products"). This layer is linen's, with the same
attributes and parameters (``kernel [features_in, features]``, ``bias [features]``), so it is
a drop-in replacement and its checkpoints are linen's.
"""

from __future__ import annotations

import flax.linen as linen
import jax


class Dense(linen.Dense):
    """``flax.linen.Dense`` on ``inputs [..., features_in]`` as one 2-D product: ``[..., features]``."""

    def __call__(self, inputs: jax.Array) -> jax.Array:
        rows = super().__call__(inputs.reshape(-1, inputs.shape[-1]))
        return rows.reshape(*inputs.shape[:-1], self.features)
