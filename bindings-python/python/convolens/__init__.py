"""convolens: WhatsApp Cloud API analytics, compiled from Rust.

Feed an :class:`Engine` the webhook payloads Meta sends and convolens JSONL records
(``outbound``, ``external_event``, ``spend``, ``close``, ``click``), in any order; ask it
for reports as plain dicts with the same keys as ``report --json``::

    import convolens
    engine = convolens.Engine.from_config_file("examples/data/config.json")
    engine.ingest_jsonl("examples/data/example.jsonl")   # bulk, without the GIL
    report = engine.report(last="30d")                   # a convolens.types.Report
    engine.to_pandas("sources")                          # with pandas installed
    engine.can_send_free_form("4915112345678")           # a FreeFormWindow, or None
    engine.export_contacts("purchase")                   # CSV text
    engine.contacts_frame("purchase")                    # the same users, a DataFrame
    engine.rows("charges").to_pandas()                   # every business message's charge

The shapes of the returned dicts are :mod:`convolens.types`; :mod:`convolens.frames`
turns report sections into rows and DataFrames. Errors are :class:`ConvolensError`
subclasses: :class:`ParseError` (with ``line``, ``column``, ``field``, ``kind``),
:class:`ConfigError` (with ``key``), :class:`ReportError` and :class:`SnapshotError`.
"""

from ._native import (
    ConfigError,
    ConvolensError,
    Engine,
    FreeFormWindow,
    ParseError,
    ReportError,
    SnapshotError,
    __version__,
)
from . import frames, types
from .frames import Rows, report_tables, tables, to_pandas, to_polars, to_records

__all__ = [
    "ConfigError",
    "ConvolensError",
    "Engine",
    "FreeFormWindow",
    "ParseError",
    "ReportError",
    "Rows",
    "SnapshotError",
    "__version__",
    "frames",
    "report_tables",
    "tables",
    "to_pandas",
    "to_polars",
    "to_records",
    "types",
]
