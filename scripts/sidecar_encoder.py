"""Turns raw rows into an exported model's input tensors using only its preprocessing sidecar.

The sidecar is the JSON `dtrn export` writes beside the .onnx file. A raw row is a JSON object
as `dtrn predict` reads it from a .jsonl file: feature name -> a string, a number, a list of
strings or numbers, or null (an absent key is missing). `encode_rows(sidecar, rows)` returns
the named numpy arrays of the graph's signature, encoded exactly as `dtrn predict` encodes the
same rows; a value `dtrn predict` refuses raises `EncodingError` naming the row and feature.
"""
import math
import re

import numpy as np

FLOAT32_MAX = 3.4028234663852886e38
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
ID_TEXT = re.compile(r"[+-]?\d+\Z")


class EncodingError(ValueError):
    """A raw value the sidecar's rules refuse."""


def number_text(x):
    """The text a JSON number is looked up as: integral values as integers, others as the
    shortest decimal that reads back as the same double."""
    x = float(x)
    if x == math.floor(x) and abs(x) < 9.0e18:
        return str(int(x))
    return repr(x)


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class RowEncoder:
    """The sidecar's rules for one model."""

    FORMAT_VERSION = 2

    def __init__(self, sidecar):
        if sidecar.get("formatVersion") != self.FORMAT_VERSION:
            raise ValueError(f"sidecar format version {sidecar.get('formatVersion')!r}; this encoder reads version "
                             f"{self.FORMAT_VERSION} (written by dtrn export)")
        self.sidecar = sidecar
        self.born_encoded = sidecar["bornEncoded"]
        self.missing = set(sidecar["missingValues"])
        self.trim = sidecar["trimWhitespace"]

    def cleaned(self, text):
        return text.strip(" \t") if self.trim else text

    def parse_number(self, text, feature):
        if not NUMBER.match(text):
            raise EncodingError(f"feature '{feature}': expected a finite number, found '{text[:40]}'")
        x = float(text)
        if abs(x) > FLOAT32_MAX:
            raise EncodingError(f"feature '{feature}': expected a finite number, found '{text[:40]}'")
        return x

    def given_id(self, value, feature, size):
        """An id of data born encoded: an integral number or its text, inside the vocabulary."""
        if is_number(value) and float(value) == math.floor(value) and 0 <= value < size:
            return int(value)
        if isinstance(value, str) and ID_TEXT.match(value) and 0 <= int(value) < size and abs(int(value)) < 2**31:
            return int(value)
        raise EncodingError(f"feature '{feature}': expected an id in 0..<{size}, found {value!r}")

    def categorical(self, field, value):
        name = field["name"]
        if value is None:
            return field["missingID"]
        if isinstance(value, list):
            raise EncodingError(f"feature '{name}': expected one value, found a list")
        if self.born_encoded:
            return self.given_id(value, name, field["vocabularySize"])
        if is_number(value):
            token = number_text(value)
        else:
            token = self.cleaned(value)
            if token in self.missing:
                return field["missingID"]
        return field["vocabulary"].get(token, field["unknownID"])

    def numeric(self, field, value):
        name = field["name"]
        if isinstance(value, list):
            raise EncodingError(f"feature '{name}': expected a number, found a list")
        if self.born_encoded:
            if value is None:
                x = 0.0
            elif is_number(value):
                x = float(value)
            else:
                x = self.parse_number(value, name)
            encoded = np.float32(x)
        else:
            if value is None:
                x = None
            elif is_number(value):
                x = float(value)
                if abs(x) > FLOAT32_MAX:
                    raise EncodingError(f"feature '{name}': expected a finite number, found {value}")
            else:
                text = self.cleaned(value)
                x = None if text in self.missing else self.parse_number(text, name)
            encoded = np.float32(transform(field, x))
        if not np.isfinite(encoded):
            raise EncodingError(f"feature '{name}': expected a number whose encoded value is finite, found {value!r}")
        return encoded

    def sequence(self, field, value):
        name, length = field["name"], field["length"]
        if value is None:
            items = []
        elif isinstance(value, list):
            items = [number_text(v) if is_number(v) else v for v in value]
        elif self.born_encoded:
            raise EncodingError(f"feature '{name}': expected a list of ids, found {value!r}")
        elif is_number(value):
            items = [number_text(value)]
        else:
            items = value.split(field["separator"]) if field["separator"] is not None else [value]
        if self.born_encoded:
            kept = [self.given_id(item, name, field["vocabularySize"]) for item in items[-length:] if length > 0]
        else:
            items = [t for t in (self.cleaned(item) for item in items) if t not in self.missing]
            kept = [field["vocabulary"].get(t, field["unknownID"]) for t in (items[-length:] if length > 0 else [])]
        return [field["paddingID"]] * (length - len(kept)) + kept


def transform(field, x):
    """A numeric field's fitted transform of `x` (None or NaN: the training mean), in double precision."""
    mean = field["mean"]
    if x is None or math.isnan(x):
        x = mean
    kind = field["transform"]
    if kind == "none":
        return x
    if kind == "standardize":
        return (x - mean) / field["standardDeviation"]
    if kind == "min-max":
        span = field["maximum"] - field["minimum"]
        return (x - field["minimum"]) / span if span > 0 else 0.0
    if kind == "log1p":
        return -math.log1p(-x) if x < 0 else math.log1p(x)
    raise EncodingError(f"unknown transform '{kind}' of feature '{field['name']}'")


def encode_rows(sidecar, rows):
    """The graph's named input arrays for `rows` (a list of dicts), in signature order."""
    encoder = RowEncoder(sidecar)
    columns = {}
    for field in sidecar["categorical"]:
        columns[field["name"]] = ("int64", [])
    for field in sidecar["numeric"]:
        columns[field["name"]] = ("float32", [])
    for field in sidecar["sequences"]:
        columns[field["name"]] = ("int64", [])
    for index, row in enumerate(rows):
        try:
            for field in sidecar["categorical"]:
                columns[field["name"]][1].append(encoder.categorical(field, row.get(field["name"])))
            for field in sidecar["numeric"]:
                columns[field["name"]][1].append(encoder.numeric(field, row.get(field["name"])))
            for field in sidecar["sequences"]:
                columns[field["name"]][1].append(encoder.sequence(field, row.get(field["name"])))
        except EncodingError as error:
            raise EncodingError(f"row {index + 1}: {error}") from None
    feeds = {}
    for field in sidecar["sequences"]:
        dtype, values = columns[field["name"]]
        feeds[field["name"]] = np.array(values, dtype=dtype).reshape(len(rows), field["length"])
    for name, (dtype, values) in columns.items():
        if name not in feeds:
            feeds[name] = np.array(values, dtype=dtype).reshape(len(rows))
    return feeds
