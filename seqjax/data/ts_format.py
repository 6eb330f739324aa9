"""A reader for the sktime/aeon ``.ts`` format of the UCR/UEA time-series archives.

A file is ``#`` comment lines, ``@`` header lines (``@problemName``, ``@univariate``,
``@dimensions``, ``@equalLength``, ``@seriesLength``, ``@missing``, ``@timeStamps``,
``@classLabel true <names>``), then ``@data`` and one case a line: each dimension's values
separated by commas, dimensions separated by ``:``, the class label last when
``@classLabel`` is true. Cases may differ in length (a case's dimensions share one length);
``?`` is a missing value (NaN), allowed only with ``@missing true``.

``read_ts`` returns the cases as one padded array ``[cases, time, dimensions]`` with their
lengths and integer labels; every malformed line raises ``DataError`` naming the file and
line and saying what was expected.
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np

from seqjax.data.files import DataError, numbered_lines


@dataclasses.dataclass(frozen=True)
class LabelledSeries:
    """Cases of a classification problem.

    Attributes:
      values: ``[cases, time, dimensions]`` float32, zero past each case's length.
      lengths: ``[cases]`` int32 real steps of each case.
      labels: ``[cases]`` int32 indices into ``class_names``.
      class_names: the ``@classLabel`` names, in the header's order.
      name: the ``@problemName``.
    """

    values: np.ndarray
    lengths: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    name: str

    @property
    def dimensions(self) -> int:
        return self.values.shape[-1]


_BOOLEAN_HEADERS = ("univariate", "equallength", "missing", "timestamps")


def _header(path: pathlib.Path, number: int, line: str, headers: dict) -> None:
    key, _, rest = line[1:].partition(" ")
    key, words = key.lower(), rest.split()
    where = f"{path}:{number}"
    if key in _BOOLEAN_HEADERS:
        if words not in (["true"], ["false"]):
            raise DataError(f"{where}: @{key} expects true or false, received {rest!r}")
        headers[key] = words == ["true"]
    elif key in ("dimensions", "serieslength"):
        if len(words) != 1 or not words[0].isdigit() or int(words[0]) < 1:
            raise DataError(f"{where}: @{key} expects a positive integer, received {rest!r}")
        headers[key] = int(words[0])
    elif key == "classlabel":
        if not words or words[0] not in ("true", "false") or (words[0] == "true") != (len(words) > 1):
            raise DataError(f"{where}: @classLabel expects 'true' and the class names, or 'false'; received {rest!r}")
        headers["classlabel"] = tuple(words[1:]) if words[0] == "true" else None
    else:
        headers[key] = rest.strip()


def _dimension(where: str, text: str, missing: bool, index: int) -> list[float]:
    values = []
    for item in text.split(","):
        item = item.strip()
        if item == "?" and missing:
            values.append(float("nan"))
            continue
        try:
            values.append(float(item))
        except ValueError:
            raise DataError(
                f"{where}: dimension {index + 1}: expected comma-separated numbers"
                + (" (or ? for a missing value)" if missing else "") + f", received {item!r}"
            ) from None
    return values


def read_ts(path: str | pathlib.Path) -> LabelledSeries:
    """Reads a classification problem in ``.ts`` format (see the module's docstring)."""
    path = pathlib.Path(path)
    headers: dict = {}
    cases: list[np.ndarray] = []
    labels: list[int] = []
    in_data = False
    for number, line in numbered_lines(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path}:{number}"
        if not in_data:
            if not line.startswith("@"):
                raise DataError(f"{where}: expected a # comment or an @ header before @data, received {line[:40]!r}")
            if line.lower() == "@data":
                in_data = True
                if headers.get("timestamps"):
                    raise DataError(f"{where}: @timeStamps true is not supported (expected plain values)")
                if "classlabel" not in headers:
                    raise DataError(f"{where}: @data before @classLabel (expected the class names first)")
            else:
                _header(path, number, line, headers)
            continue
        class_names = headers["classlabel"]
        parts = line.split(":")
        if class_names is not None:
            *parts, label = parts
            if label.strip() not in class_names:
                raise DataError(f"{where}: class label {label.strip()!r} is not one of {class_names} "
                                "(is the label missing?)")
            labels.append(class_names.index(label.strip()))
        expected = headers.get("dimensions", 1 if headers.get("univariate", True) else None)
        expected = expected or (cases[0].shape[1] if cases else len(parts))
        if len(parts) != expected:
            raise DataError(f"{where}: expected {expected} dimension(s)"
                            + (" and a class label" if class_names is not None else "")
                            + f" separated by ':', received {len(parts)} dimension(s)")
        dims = [_dimension(where, text, bool(headers.get("missing")), i) for i, text in enumerate(parts)]
        if len({len(d) for d in dims}) != 1:
            raise DataError(f"{where}: the dimensions of one case must have one length, received lengths "
                            f"{[len(d) for d in dims]}")
        if headers.get("equallength") and "serieslength" in headers and len(dims[0]) != headers["serieslength"]:
            raise DataError(f"{where}: @seriesLength is {headers['serieslength']}, received a case of "
                            f"{len(dims[0])} steps")
        cases.append(np.array(dims, np.float32).T)
    if not cases:
        raise DataError(f"{path}: no cases (expected @data followed by one case a line)")
    lengths = np.array([len(c) for c in cases], np.int32)
    values = np.zeros((len(cases), int(lengths.max()), cases[0].shape[1]), np.float32)
    for row, case in enumerate(cases):
        values[row, : len(case)] = case
    return LabelledSeries(
        values=values, lengths=lengths, labels=np.array(labels, np.int32),
        class_names=headers["classlabel"] or (), name=headers.get("problemname", path.stem),
    )
