"""Pretraining a sentence encoder as a language model on unlabelled sentences, then
classifying with it (Dai & Le 2015, "Semi-supervised sequence learning": an LSTM pretrained
as a language model and fine-tuned as a classifier; here both directions of a bidirectional
encoder, as in Peters et al. 2018).

The forward direction's output at step ``t`` has read tokens ``0..t`` and predicts token
``t + 1``; the backward direction's output at ``t`` has read ``t..length-1`` and predicts
token ``t - 1``. Neither sees the token it predicts.
"""

from __future__ import annotations

from typing import Any

import flax.linen as linen
import jax
import jax.numpy as jnp

from seqjax.core import bad_argument
from seqjax.models.sentence_classifier import SentenceEncoder
from seqjax.nn.dense import Dense
from seqjax.train.losses import sequence_cross_entropy
from seqjax.nn.dropout import checked_dropout


class NeighbourTokenModel(linen.Module):
    """``encoder`` with a softmax over the first ``output_size`` token ids on each direction's outputs.

    Call: ``(tokens [batch, time] int, lengths [batch], *, deterministic=True)`` returns
    ``(next_logits, previous_logits)``, each ``[batch, time, output_size]`` (``previous_logits``
    is None for a unidirectional encoder). The encoder's parameters are under ``"encoder"``,
    the same tree as a ``SentenceClassifier``'s with the same options, so that
    ``with_pretrained_encoder`` moves them across. Dropout (``encoder.dropout_rate``, rng
    ``"dropout"``) also acts on the outputs before the softmax.

    Attributes:
      encoder: the ``SentenceEncoder`` to pretrain (unbound: ``SentenceClassifier.encoder()``).
      output_size: the ids predicted (0: the whole vocabulary). A lexicon numbers tokens
        from the most frequent, so a smaller softmax predicts the frequent words, and
        ``neighbour_token_loss`` counts every rarer one as the unknown id 1; the softmax is
        most of the cost of a step.
    """

    encoder: SentenceEncoder
    output_size: int = 0

    @linen.compact
    def __call__(
        self, tokens: jax.Array, lengths: jax.Array, *, deterministic: bool = True
    ) -> tuple[jax.Array, jax.Array | None]:
        if not 0 <= self.output_size <= self.encoder.vocab_size:
            raise bad_argument("output_size", f"0 or at most the vocabulary's {self.encoder.vocab_size} ids",
                               str(self.output_size))
        outputs = self.encoder(tokens, lengths, deterministic=deterministic)
        outputs = checked_dropout(self.encoder.dropout_rate)(outputs, deterministic=deterministic)
        size, classes = self.encoder.hidden_size, self.output_size or self.encoder.vocab_size
        next_logits = Dense(classes, name="next_head")(outputs[..., :size])
        if not self.encoder.bidirectional:
            return next_logits, None
        return next_logits, Dense(classes, name="previous_head")(outputs[..., size:])


def neighbour_token_loss(
    logits: tuple[jax.Array, jax.Array | None], tokens: jax.Array, lengths: jax.Array
) -> jax.Array:
    """Mean cross-entropy (nats) of ``NeighbourTokenModel``'s predictions of the next token
    (steps ``0 .. length-2``) and, when bidirectional, of the previous one (steps
    ``1 .. length-1``), over ``tokens [batch, time]`` of ``lengths [batch]``. Ids the logits
    do not cover (``>= logits.shape[-1]``) are targets of the unknown id 1."""
    next_logits, previous_logits = logits
    tokens = jnp.where(tokens < next_logits.shape[-1], tokens, 1)
    loss = sequence_cross_entropy(next_logits[:, :-1], tokens[:, 1:], lengths - 1)
    if previous_logits is None:
        return loss
    return (loss + sequence_cross_entropy(previous_logits[:, 1:], tokens[:, :-1], lengths - 1)) / 2


def with_pretrained_encoder(classifier_params: Any, pretrained_params: Any) -> Any:
    """``classifier_params`` (a ``SentenceClassifier``'s) with their ``"encoder"`` replaced by
    ``pretrained_params``' (a ``NeighbourTokenModel``'s); the trees must match."""
    mine, theirs = classifier_params["params"]["encoder"], pretrained_params["params"]["encoder"]
    shapes = lambda tree: jax.tree.map(lambda leaf: leaf.shape, tree)  # noqa: E731
    if jax.tree.structure(mine) != jax.tree.structure(theirs) or shapes(mine) != shapes(theirs):
        raise bad_argument("pretrained_params", f"an encoder with the classifier's parameters {shapes(mine)}",
                           f"{shapes(theirs)}")
    return {**classifier_params, "params": {**classifier_params["params"], "encoder": theirs}}
