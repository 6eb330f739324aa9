"""The .ts reader on hand-written files: variable lengths, several dimensions, labels, and a
clear error (file:line and what was expected) for each kind of malformed line."""

from __future__ import annotations

import numpy as np
import pytest

from seqjax.data import DataError
from seqjax.data.ts_format import read_ts

HEADER = """# a comment
@problemName Tiny
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength false
@classLabel true up down
@data
"""


def _write(tmp_path, body, header=HEADER):
    path = tmp_path / "tiny.ts"
    path.write_text(header + body)
    return path


def test_variable_length_multivariate_cases_are_padded_with_lengths_and_labels(tmp_path):
    series = read_ts(_write(tmp_path, "1,2,3:4,5,6:up\n\n7,8:9,10:down\n"))
    assert series.name == "Tiny" and series.class_names == ("up", "down") and series.dimensions == 2
    np.testing.assert_array_equal(series.lengths, [3, 2])
    np.testing.assert_array_equal(series.labels, [0, 1])
    np.testing.assert_array_equal(series.values[0], [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(series.values[1], [[7, 9], [8, 10], [0, 0]])
    assert series.values.dtype == np.float32


def test_univariate_file_with_missing_values(tmp_path):
    header = "@problemName U\n@missing true\n@univariate true\n@classLabel true a b\n@data\n"
    series = read_ts(_write(tmp_path, "1,?,3:b\n", header))
    assert series.values.shape == (1, 3, 1) and np.isnan(series.values[0, 1, 0]) and series.labels[0] == 1


@pytest.mark.parametrize(("body", "message"), [
    ("1,2:3,4\n1,2:3,4:up\n",
     r"tiny.ts:10: class label '3,4' is not one of \('up', 'down'\) \(is the label missing\?\)"),
    ("1,2:3,4:up\n1,2,3:up\n", r"tiny.ts:11: expected 2 dimension\(s\) and a class label separated by ':', received 1"),
    ("1,x:3,4:up\n", r"tiny.ts:10: dimension 1: expected comma-separated numbers, received 'x'"),
    ("1,2:3:up\n", r"tiny.ts:10: the dimensions of one case must have one length, received lengths \[2, 1\]"),
    ("1,?:3,4:up\n", r"tiny.ts:10: dimension 1: expected comma-separated numbers, received '\?'"),
    ("1,2:3,4:left\n", r"tiny.ts:10: class label 'left' is not one of"),
    ("", r"tiny.ts: no cases"),
])
def test_malformed_lines_name_file_line_and_expectation(tmp_path, body, message):
    with pytest.raises(DataError, match=message):
        read_ts(_write(tmp_path, body))


@pytest.mark.parametrize(("header", "message"), [
    ("@univariate maybe\n@classLabel true a\n@data\n", r"tiny.ts:1: @univariate expects true or false"),
    ("@dimensions two\n@classLabel true a\n@data\n", r"tiny.ts:1: @dimensions expects a positive integer"),
    ("@classLabel true\n@data\n", r"tiny.ts:1: @classLabel expects 'true' and the class names"),
    ("@data\n", r"tiny.ts:1: @data before @classLabel"),
    ("@timeStamps true\n@classLabel true a\n@data\n", r"tiny.ts:3: @timeStamps true is not supported"),
    ("1,2,3\n", r"tiny.ts:1: expected a # comment or an @ header before @data"),
    ("@equalLength true\n@seriesLength 3\n@classLabel true a\n@data\n1,2:a\n",
     r"tiny.ts:5: @seriesLength is 3, received a case of 2 steps"),
])
def test_malformed_headers_name_file_line_and_expectation(tmp_path, header, message):
    with pytest.raises(DataError, match=message):
        read_ts(_write(tmp_path, "", header))


def test_unlabelled_file_reads_without_labels(tmp_path):
    series = read_ts(_write(tmp_path, "1,2\n3,4\n", "@univariate true\n@classLabel false\n@data\n"))
    assert series.values.shape == (2, 2, 1) and series.labels.size == 0 and series.class_names == ()
