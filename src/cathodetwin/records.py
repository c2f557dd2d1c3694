"""Result records: frozen dataclasses that write and read their own JSON, one mapping both ways.

A result type subclasses :class:`Record` and declares its fields with units in their names;
``to_dict`` and ``from_dict`` are generated from the fields and their type hints, so a build
read back from ``metrics.json`` has the same types as one computed in memory. Per field,
``dataclasses.field(metadata=...)`` may set

- ``key``: the JSON key when it differs from the field name;
- ``json=False``: not written (arrays, solver state); read back as the field's default;
- ``codec``: an ``(encode, decode)`` pair for values JSON cannot hold as they are.

Class attribute ``DERIVED`` names properties that ``to_dict`` writes after the fields (for
readers of the JSON) and ``from_dict`` skips. JSON has no infinity: non-finite floats are
written as null, and a null read into a ``float`` field is infinity, the only non-finite value
the analyses produce.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, ClassVar, Self

import numpy as np


def key(name: str, **metadata: Any) -> dict[str, Any]:
    """Field metadata giving the JSON key ``name`` (plus any other metadata)."""
    return {"key": name, **metadata}


def pair_keys() -> dict[str, Any]:
    """Field metadata for a dict keyed by name pairs, written with keys ``"a|b"``."""
    return {"codec": (
        lambda d: {f"{a}|{b}": v for (a, b), v in d.items()},
        lambda d: {tuple(k.split("|", 1)): v for k, v in d.items()},
    )}


def by_name(record_type: type[Record], attribute: str = "name") -> dict[str, Any]:
    """Field metadata for a tuple of records written as a dict keyed by their ``attribute``."""
    return {"codec": (
        lambda items: {getattr(r, attribute): r.to_dict() for r in items},
        lambda d: tuple(record_type.from_dict(v) for v in d.values()),
    )}


class Record:
    """Mixin for frozen dataclass results: ``to_dict`` / ``from_dict`` from the fields."""

    DERIVED: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable record; keys carry units."""
        out: dict[str, Any] = {}
        hints = _hints(type(self))
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if not f.metadata.get("json", True):
                continue
            value = getattr(self, f.name)
            codec = f.metadata.get("codec")
            out[f.metadata.get("key", f.name)] = (
                codec[0](value) if codec and value is not None else _encode(value, hints[f.name])
            )
        for name in self.DERIVED:
            out[name] = _encode(getattr(self, name), Any)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The record a :meth:`to_dict` dict (or its JSON round trip) describes."""
        hints = _hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if not f.metadata.get("json", True) or not f.init:
                continue
            name = f.metadata.get("key", f.name)
            if name not in data:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    raise KeyError(f"{cls.__name__}: the record has no {name!r}")
                continue
            codec = f.metadata.get("codec")
            value = data[name]
            kwargs[f.name] = (codec[1](value) if codec and value is not None
                              else _decode(value, hints[f.name]))
        return cls(**kwargs)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _encode(value: Any, hint: Any) -> Any:
    """JSON-ready form of ``value``: records as dicts, tuples as lists, NumPy as Python."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: _encode(v, Any) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v, Any) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return _encode(value.item(), hint)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _decode(value: Any, hint: Any) -> Any:
    """``value`` read from JSON as the type ``hint`` says."""
    if hint is Any or hint is object:
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(value, inner)
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_dict(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(v, args[0]) for v in value)
        return tuple(_decode(v, a) for v, a in zip(value, args, strict=True))
    if origin is dict:
        key_type, value_type = args
        convert: Callable[[Any], Any] = key_type if key_type in (int, float) else (lambda k: k)
        return {convert(k): _decode(v, value_type) for k, v in value.items()}
    if origin is list:
        return [_decode(v, args[0]) for v in value]
    if hint is float:
        return math.inf if value is None else float(value)
    return value
