"""The names command lines offer as choices, in a module of the standard library alone, so
that ``--help`` lists them without loading JAX.

The modules that own each set read their names from here, and their tests check that the
names and the registries agree: ``CELL_NAMES`` are the keys of ``seqjax.nn.LAYERS`` (a new
cell adds its name here beside its registry entry), ``POOLINGS`` the poolings of
``seqjax.models.Pool``, ``SCORES`` the attention scores of ``seqjax.models.CrossAttention``.
"""

from __future__ import annotations

from typing import Literal

CELL_NAMES = ("lstm", "gru", "rnn", "mingru", "minlstm", "lru", "rglru", "griffin")
"""The names of the layers in ``seqjax.nn.LAYERS``, in its order: every ``--cell`` offers these."""
CellName = Literal["lstm", "gru", "rnn", "mingru", "minlstm", "lru", "rglru", "griffin"]
"""The type of a cell name (``CELL_NAMES`` as a ``Literal``), for typed config fields."""

POOLINGS = ("last", "mean", "max", "attention")
"""The poolings over time of ``seqjax.models.Pool``: the last real step, the mean, the max, attention."""
PoolingName = Literal["last", "mean", "max", "attention"]

SCORES = ("general", "dot", "additive")
"""The attention scores of ``seqjax.models.CrossAttention`` (Luong's general and dot, Bahdanau's additive)."""
ScoreName = Literal["general", "dot", "additive"]
