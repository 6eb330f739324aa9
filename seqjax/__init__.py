"""seqjax: recurrent networks in JAX and Flax.

Layers, each usable without the ones above it: ``seqjax.core`` (pure JAX) ->
``seqjax.nn`` (Flax linen modules) -> ``seqjax.train`` (optax). Import the layer you need;
this top-level package imports none of them, so ``import seqjax.core`` never loads Flax.
"""

__version__ = "0.1.0"
