"""Time-series loaders: the archive sets' real sizes, CSV columns, train-only standardisation."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError, data_dir
from seqjax.data.timeseries import Standardizer, load_classification, load_forecasting, read_csv_columns
from seqjax.data.windows import sliding_windows

needs_data = pytest.mark.skipif(not (data_dir() / "timeseries" / "Airline.csv").is_file(),
                                reason="../shared/data is absent")


@needs_data
@pytest.mark.parametrize(("name", "train", "test", "shape", "classes", "shortest"), [
    ("JapaneseVowels", 270, 370, (26, 12), 9, 7),
    ("GunPoint", 50, 150, (150, 1), 2, 150),
    ("BasicMotions", 40, 40, (100, 6), 4, 100),
    ("ItalyPowerDemand", 67, 1029, (24, 1), 2, 24),
])
def test_archive_sets_have_their_documented_sizes(name, train, test, shape, classes, shortest):
    train_set, test_set = load_classification(name, "train"), load_classification(name, "test")
    assert len(train_set.labels) == train and len(test_set.labels) == test
    assert train_set.values.shape[1:] == shape and len(train_set.class_names) == classes
    assert train_set.lengths.min() == shortest and set(train_set.labels) == set(range(classes))


@needs_data
def test_forecasting_series_have_their_documented_lengths():
    assert load_forecasting("Airline")["Passengers"][:3].tolist() == [112, 118, 132]
    assert len(load_forecasting("Airline")["Passengers"]) == 144
    uschange = load_forecasting("Uschange")
    assert set(uschange) == {"Quarter", "Consumption", "Income", "Production", "Savings", "Unemployment"}
    assert len(uschange["Consumption"]) == 187 and uschange["Quarter"][0] == "1970 Q1"
    assert len(load_forecasting("solar")["solar_gen"]) == 289


def test_bad_names_and_splits_are_refused():
    with pytest.raises(DataError, match=r"name: expected one of .*received 'Coffee'"):
        load_classification("Coffee", "train")
    with pytest.raises(DataError, match=r"split: expected 'train' or 'test', received 'valid'"):
        load_classification("GunPoint", "valid")


def test_csv_columns_numbers_and_strings_and_a_short_row_is_named(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(",when,value\n0,2020 Q1,1.5\n1,2020 Q2,-2\n")
    columns = read_csv_columns(path)
    assert list(columns) == ["when", "value"] and columns["value"].tolist() == [1.5, -2.0]
    assert columns["when"].tolist() == ["2020 Q1", "2020 Q2"]
    path.write_text("when,value\n2020,1\n2021\n")
    with pytest.raises(DataError, match=r"s.csv:3: expected 2 comma-separated fields as in the header, received 1"):
        read_csv_columns(path)


def test_standardizer_statistics_come_from_the_training_split_alone():
    rng = np.random.default_rng(0)
    train = rng.normal(3.0, 2.0, (50, 20, 2))
    lengths = rng.integers(5, 21, 50)
    train_padded = np.where(np.arange(20)[None, :, None] < lengths[:, None, None], train, 1e6)
    standardize = Standardizer.fit(train_padded, lengths)
    real = np.concatenate([train[i, : lengths[i]] for i in range(50)])
    np.testing.assert_allclose(standardize.mean, real.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(standardize.std, real.std(axis=0), rtol=1e-12)
    test = rng.normal(-5.0, 0.1, (10, 20, 2))  # a different distribution leaves the statistics alone
    scaled = standardize(test, np.full(10, 20))
    np.testing.assert_allclose(scaled, (test - real.mean(axis=0)) / real.std(axis=0), rtol=1e-5)
    padded = standardize(train_padded, lengths)
    assert np.all(padded[np.arange(20)[None, :] >= lengths[:, None]] == 0)


def test_sliding_windows_match_an_explicit_loop():
    values = np.arange(30.0).reshape(10, 3)
    contexts, futures = sliding_windows(values, 4, 2)
    assert contexts.shape == (5, 4, 3) and futures.shape == (5, 2, 3)
    for i in range(5):
        np.testing.assert_array_equal(contexts[i], values[i : i + 4])
        np.testing.assert_array_equal(futures[i], values[i + 4 : i + 6])
    with pytest.raises(DataError, match=r"context=8, horizon=3: expected positive lengths"):
        sliding_windows(values, 8, 3)
