"""Cutting a multivariate series into (context, future) windows for forecasting."""

from __future__ import annotations

import numpy as np

from seqjax.data.files import DataError


def sliding_windows(values: np.ndarray, context: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``values [time, features]``, one step apart.

    Returns ``(contexts [n, context, features], futures [n, horizon, features])`` with
    ``n = time - context - horizon + 1``: window ``i`` reads steps ``i .. i + context - 1``
    and its future is the next ``horizon`` steps.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise DataError(f"values: expected [time, features], received shape {values.shape}")
    count = len(values) - context - horizon + 1
    if context < 1 or horizon < 1 or count < 1:
        raise DataError(f"context={context}, horizon={horizon}: expected positive lengths whose sum is at most "
                        f"the series' {len(values)} steps")
    starts = np.arange(count)[:, None]
    contexts = values[starts + np.arange(context)]
    futures = values[starts + context + np.arange(horizon)]
    return contexts, futures
