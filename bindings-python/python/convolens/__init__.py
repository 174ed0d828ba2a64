"""convolens: WhatsApp Cloud API analytics, compiled from Rust.

Feed an :class:`Engine` the webhook payloads Meta sends and convolens JSONL records
(``outbound``, ``external_event``, ``spend``, ``close``, ``click``), in any order; ask it
for reports as plain dicts with the same keys as ``report --json``::

    import convolens
    engine = convolens.Engine({"time_zone": "Europe/Berlin"})
    engine.ingest_jsonl("examples/data/example.jsonl")
    report = engine.report(last="30d")
    engine.to_pandas("input.messages")          # with pandas installed

Errors are :class:`ConvolensError` subclasses: :class:`ParseError` (with ``line``,
``column``, ``field``, ``kind``), :class:`ConfigError` (with ``key``),
:class:`ReportError` and :class:`SnapshotError`.
"""

from ._native import (
    ConfigError,
    ConvolensError,
    Engine,
    ParseError,
    ReportError,
    SnapshotError,
    __version__,
)
from .frames import to_pandas, to_polars, to_records

__all__ = [
    "ConfigError",
    "ConvolensError",
    "Engine",
    "ParseError",
    "ReportError",
    "SnapshotError",
    "__version__",
    "to_pandas",
    "to_polars",
    "to_records",
]
