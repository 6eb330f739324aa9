"""Arrays made inside ``jax.shard_map`` that must vary over the same mesh axes as the data.

Under ``shard_map`` each value has a type that says over which mesh axes it varies; a
``lax.scan`` carry must keep its type from one step to the next. A zero carry made from
shapes alone does not vary, while the carry after a step computed from the inputs does, so
the runners start from ``varying_like(zeros, inputs)``. Outside ``shard_map`` it is the identity.
"""

from __future__ import annotations

from typing import Any

import jax


def varying_axes(value: jax.Array) -> frozenset[str]:
    """The mesh axes ``value`` varies over (empty outside ``shard_map``)."""
    aval = jax.typeof(value)
    manual = getattr(aval, "manual_axis_type", None)  # jax >= 0.10; earlier releases call it ``vma``
    return frozenset(manual.varying) if manual is not None else frozenset(getattr(aval, "vma", ()))


def varying_like(tree: Any, reference: jax.Array) -> Any:
    """``tree``'s arrays, cast to vary over the mesh axes ``reference`` varies over (if any)."""
    axes = varying_axes(reference)

    def cast(leaf: jax.Array) -> jax.Array:
        missing = tuple(sorted(axes - varying_axes(leaf)))
        return jax.lax.pcast(leaf, missing, to="varying") if missing else leaf

    return jax.tree.map(cast, tree) if axes else tree


def summed_like(cotangents: Any, primals: Any) -> Any:
    """Each cotangent summed (``psum``) over the mesh axes it varies over and its primal does
    not: a custom backward pass's gradient of a replicated value (a parameter) from sharded
    data is the sum over the shards, as JAX's own differentiation makes it."""

    def total(cotangent: jax.Array, primal: jax.Array) -> jax.Array:
        extra = tuple(sorted(varying_axes(cotangent) - varying_axes(primal)))
        return jax.lax.psum(cotangent, extra) if extra else cotangent

    return jax.tree.map(total, cotangents, primals)
