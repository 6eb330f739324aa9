"""Counting parameters of any pytree."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np


def count_parameters(params: Any) -> int:
    """The number of scalars in all array leaves of ``params`` (any pytree).

    Examples:
        >>> import jax
        >>> from seqjax import core
        >>> count_parameters(core.SimpleRNNCell().init(jax.random.key(0), input_size=100, hidden_size=100))
        20100
    """
    return sum(int(np.prod(np.shape(leaf))) for leaf in jax.tree.leaves(params))
