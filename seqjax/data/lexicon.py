"""A token-to-id map with padding and unknown tokens, for word- and character-level inputs.

Id 0 is padding and id 1 the unknown token; the known tokens follow, most frequent first
(ties in first-seen order). Tokens seen fewer than ``min_count`` times in the training data
are left out, so that the model learns the unknown token's embedding from real rare words.
Beside it, the helpers that turn id sequences into training batches: ``pad_to``,
``round_up``, ``shuffled_batch_rows`` and ``length_bucketed_batch_rows``.
"""

from __future__ import annotations

import collections
import functools
import dataclasses
import json
import pathlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from seqjax.data.files import DataError

PAD, UNKNOWN = "<pad>", "<unk>"


@dataclasses.dataclass(frozen=True)
class Lexicon:
    """``tokens[i]`` has id ``i``; ``normalise`` (e.g. ``str.lower``) is applied before lookup."""

    tokens: tuple[str, ...]
    lowercase: bool = False

    @classmethod
    def build(cls, sequences: Iterable[Sequence[str]], *, min_count: int = 1, lowercase: bool = False) -> Lexicon:
        counts = collections.Counter(token.lower() if lowercase else token for seq in sequences for token in seq)
        known = [token for token, count in counts.most_common() if count >= min_count and token not in (PAD, UNKNOWN)]
        if not known:
            raise DataError(f"no token is seen at least {min_count} times")
        return cls((PAD, UNKNOWN, *known), lowercase)

    @property
    def size(self) -> int:
        return len(self.tokens)

    @property
    def _index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokens)}

    def encoder(self) -> Callable[[Sequence[str]], np.ndarray]:
        """``tokens -> ids [len] int32`` (unknown tokens -> 1), with the index built once."""
        index = self._index
        normalise = str.lower if self.lowercase else (lambda token: token)
        return lambda tokens: np.array([index.get(normalise(t), 1) for t in tokens], np.int32)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        return self.encoder()(tokens)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.tokens[i] for i in ids]

    def save(self, path: str | pathlib.Path) -> None:
        pathlib.Path(path).write_text(json.dumps({"tokens": self.tokens, "lowercase": self.lowercase}))

    @classmethod
    def load(cls, path: str | pathlib.Path) -> Lexicon:
        record = json.loads(pathlib.Path(path).read_text())
        return cls(tuple(record["tokens"]), record["lowercase"])


def pad_to(rows: Sequence[np.ndarray], length: int, pad_id: int = 0) -> np.ndarray:
    """``[len(rows), length, *rest]``: each row truncated or padded with ``pad_id`` along its first axis."""
    shape = (len(rows), length, *rows[0].shape[1:]) if rows else (0, length)
    out = np.full(shape, pad_id, np.int32)
    for i, row in enumerate(rows):
        out[i, : min(len(row), length)] = row[:length]
    return out


def round_up(length: int, multiple: int) -> int:
    """``length`` rounded up to a multiple of ``multiple`` (padding to a few lengths keeps the
    number of compiled shapes small)."""
    return -(-length // multiple) * multiple


def shuffled_batch_rows(count: int, batch_size: int, seed: int) -> tuple[Callable[[int], np.ndarray], int]:
    """``(rows_at, per_epoch)``: ``rows_at(step)`` are the example indices of a step's batch, each
    epoch a fresh order drawn from ``[seed, epoch]``, cut into ``per_epoch = count // batch_size``
    batches (the last incomplete batch of an epoch is dropped). A function of the step alone, so
    a resumed run sees the same batches."""
    per_epoch = count // batch_size
    if per_epoch < 1:
        raise DataError(f"batch_size: expected at most the {count} examples, got {batch_size}")

    def rows_at(step: int) -> np.ndarray:
        epoch, index = divmod(step, per_epoch)
        order = np.random.default_rng([seed, epoch]).permutation(count)
        return order[index * batch_size : (index + 1) * batch_size]

    return rows_at, per_epoch


def length_bucketed_batch_rows(
    lengths: np.ndarray, batch_size: int, seed: int, pool_batches: int = 50
) -> tuple[Callable[[int], np.ndarray], int]:
    """Like ``shuffled_batch_rows``, but each batch holds examples of similar ``lengths [count]``,
    so little of a padded batch is padding: each epoch's seeded order is cut into pools of
    ``pool_batches`` batches, each pool sorted by length and cut into batches, and the batches
    of the epoch shuffled (the same RNG). A function of the step alone, as for resuming."""
    count = len(lengths)
    per_epoch = count // batch_size
    if per_epoch < 1:
        raise DataError(f"batch_size: expected at most the {count} examples, got {batch_size}")
    pool = batch_size * pool_batches

    @functools.lru_cache(maxsize=2)
    def epoch_batches(epoch: int) -> np.ndarray:
        rng = np.random.default_rng([seed, epoch])
        order = rng.permutation(count)[: per_epoch * batch_size]
        pools = [chunk[np.argsort(lengths[chunk], kind="stable")] for chunk in np.split(order, range(pool, len(order), pool))]
        batches = np.concatenate(pools).reshape(per_epoch, batch_size)
        return batches[rng.permutation(per_epoch)]

    def rows_at(step: int) -> np.ndarray:
        epoch, index = divmod(step, per_epoch)
        return epoch_batches(epoch)[index]

    return rows_at, per_epoch
