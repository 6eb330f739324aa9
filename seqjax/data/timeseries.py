"""Real time series: UCR/UEA classification problems and classic forecasting series.

Classification (``.ts`` files, read by ``seqjax.data.ts_format``): JapaneseVowels (12 LPC
cepstra per frame, 7-29 frames, 9 speakers), GunPoint (a hand's x-position over 150 video
frames), BasicMotions (6 accelerometer/gyroscope channels x 100 steps, 4 activities),
ItalyPowerDemand (24 hourly demands, 2 seasons). ``load_classification(name, split)``.

Forecasting (CSV with a header): Airline (monthly passengers 1949-1960), Uschange (quarterly
US growth rates of consumption, income, production, savings and unemployment), solar
(national solar generation every 30 minutes). ``read_csv_columns`` reads any such file into
named float columns; ``load_forecasting(name)`` returns the known ones.

``Standardizer`` holds per-feature mean and standard deviation fitted on the real steps of a
training split alone, and applies them to any split (padding stays zero).
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np

from seqjax.data.files import DataError, KnownFile, locate, numbered_lines
from seqjax.data.ts_format import LabelledSeries, read_ts

_DIGESTS = {
    "BasicMotions_TEST.ts": "79213102bc6fca1a398ad98ce1185dff0208fa3d1465e687f48288946b0ff8dc",
    "BasicMotions_TRAIN.ts": "8dc43cc6306cb679c888c01e26f91772ac4441a916da43bac8b79734a538b9d6",
    "GunPoint_TEST.ts": "79332750788a6227b325b96bd0d70130c8eb707b9731f8d7dec62b7a7d36017e",
    "GunPoint_TRAIN.ts": "f842401779fd9800d247d8b33121a1a4643710a19b24917dbdd9a060ca8630d5",
    "ItalyPowerDemand_TEST.ts": "26122451f87dd0387ef90b18bc8a86c041371b8a1c068004922b939971247144",
    "ItalyPowerDemand_TRAIN.ts": "341269cb7e6cef96846b30e774580beec79addb93848ba360145219115a74b7c",
    "JapaneseVowels_TEST.ts": "b3d41d6a0ca3bcad3afb9ca7d4365382aa51341e2e58bae2a574babdda5b9462",
    "JapaneseVowels_TRAIN.ts": "68a430eabd919cc77f40b1f5f3bc0dcafacc1486bca9260785aeb7d262cc78cd",
    "Airline.csv": "28af0eb869db6d9fbd31d5af03993a0cbf36c0857c3eb046a068c094b60da851",
    "Uschange.csv": "ab70b9bf82f99c962041bfd38dc9644f7a17930df71f24345bb71180f68809fe",
    "solar.csv": "205b61343a9233f6f532e918154a19b177557086f77801ec26277a1868af7e7e",
}
TIMESERIES = {name: KnownFile(f"timeseries/{name}", digest) for name, digest in _DIGESTS.items()}
CLASSIFICATION_PROBLEMS = ("JapaneseVowels", "GunPoint", "BasicMotions", "ItalyPowerDemand")
FORECASTING_SERIES = ("Airline", "Uschange", "solar")


def load_classification(name: str, split: str, directory: str | pathlib.Path | None = None) -> LabelledSeries:
    """The official ``split`` (``"train"`` or ``"test"``) of the UCR/UEA problem ``name``."""
    if name not in CLASSIFICATION_PROBLEMS:
        raise DataError(f"name: expected one of {CLASSIFICATION_PROBLEMS}, received {name!r}")
    if split not in ("train", "test"):
        raise DataError(f"split: expected 'train' or 'test', received {split!r}")
    return read_ts(locate(TIMESERIES[f"{name}_{split.upper()}.ts"], directory=directory))


def read_csv_columns(path: str | pathlib.Path) -> dict[str, np.ndarray]:
    """``{column name: values}`` for a comma-separated file with a header line: columns whose
    every value is a number become float64 arrays, the others arrays of strings (dates,
    quarters); an unnamed first column (a row index) is dropped. ``DataError`` names the file
    and line of a row with the wrong number of fields."""
    rows = [(number, line.split(",")) for number, line in numbered_lines(path) if line.strip()]
    if len(rows) < 2:
        raise DataError(f"{path}: expected a header line and at least one row, received {len(rows)} line(s)")
    (_, names), body = rows[0], rows[1:]
    for number, fields in body:
        if len(fields) != len(names):
            raise DataError(f"{path}:{number}: expected {len(names)} comma-separated fields as in the header, "
                            f"received {len(fields)}")
    columns = {}
    for index, name in enumerate(names):
        if not name.strip() and index == 0:
            continue
        texts = np.array([fields[index].strip() for _, fields in body])
        try:
            columns[name.strip()] = texts.astype(np.float64)
        except ValueError:
            columns[name.strip()] = texts
    return columns


def load_forecasting(name: str, directory: str | pathlib.Path | None = None) -> dict[str, np.ndarray]:
    """The columns of the forecasting series ``name`` (see ``FORECASTING_SERIES``)."""
    if name not in FORECASTING_SERIES:
        raise DataError(f"name: expected one of {FORECASTING_SERIES}, received {name!r}")
    return read_csv_columns(locate(TIMESERIES[f"{name}.csv"], directory=directory))


@dataclasses.dataclass(frozen=True)
class Standardizer:
    """Per-feature ``(x - mean) / std``, ``mean`` and ``std`` ``[features]``."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray, lengths: np.ndarray | None = None) -> Standardizer:
        """Statistics over the real steps of ``values [cases, time, features]`` (all steps if
        ``lengths`` is None); a constant feature gets std 1."""
        steps = np.arange(values.shape[1])
        real = np.ones(values.shape[:2], bool) if lengths is None else steps[None, :] < lengths[:, None]
        observed = values[real].astype(np.float64)
        std = observed.std(axis=0)
        return cls(mean=observed.mean(axis=0), std=np.where(std > 0, std, 1.0))

    def __call__(self, values: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """``values`` standardised, float32; steps past ``lengths`` stay zero."""
        scaled = (values - self.mean) / self.std
        if lengths is not None:
            scaled = np.where(np.arange(values.shape[1])[None, :, None] < lengths[:, None, None], scaled, 0.0)
        return scaled.astype(np.float32)
