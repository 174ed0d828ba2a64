"""Report sections and row-level tables as rows, pandas or polars DataFrames, and Arrow.

pandas, polars and pyarrow are optional: each is imported only when a function needs it.

**Tables.** Which parts of a report are tables, and their columns, is the core's rule —
the same for ``report --csv``, :func:`tables` here and JavaScript (:func:`report_tables`
returns them):

* every list of objects is a table, one row per object; a list of lists (the
  ``engagement.heatmap``) is one with a ``row`` column and one column per position;
* every keyed map is a table whose key and value columns are named: ``billing.cost.by_day``
  has ``date`` and ``cost``, ``input.messages`` has ``type`` and ``messages``,
  ``engagement.response_time.by_author`` has ``author`` and the object's fields;
* lists and keyed maps inside rows are tables of their own, named by the path with ``[]``
  (``usage.months[].by_country``, ``templates[].buttons``), whose rows start with their
  parent row's identifying fields (``usage_months.month``);
* nested objects in a row are flattened into dotted columns (``messages.text``).

Any other section (``range``, ``overall``, ``input``) is one row of its fields, and a bare
value or a list of values is rows of a ``value`` column.

**Types.** DataFrames get typed columns: ``date``, ``billing_day`` and ``*.date`` are dates
(pandas ``datetime64``, polars ``Date``), ``month`` the month's first day; ``sent_at``,
``delivered_at``, ``start``, ``last`` and ``first_seen`` are UTC datetimes; money
(``cost``, ``value``, ``revenue``, ...) is float64.

**Row-level tables.** ``Engine.rows("charges" | "conversations" | "contacts")`` returns a
:class:`Rows`, which pyarrow, polars and pandas read through the Arrow PyCapsule interface
(``pyarrow.table(rows)``), plus ``to_pandas()``, ``to_polars()`` and ``to_arrow()``.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

#: Columns of dates (``YYYY-MM-DD``).
DATE_COLUMNS = frozenset({"date", "billing_day"})
#: Columns of months (``YYYY-MM``), typed as their first day.
MONTH_COLUMNS = frozenset({"month"})
#: Columns of instants (RFC 3339 with an offset), typed as UTC datetimes.
INSTANT_COLUMNS = frozenset({"sent_at", "delivered_at", "start", "last", "first_seen"})
#: Columns of money and other fractions, typed as float64 even when a value is whole or null.
FLOAT_COLUMNS = frozenset({
    "cost", "value", "attributed_value", "revenue", "invested", "conversion_cost",
    "conversion_value", "meta_price", "conversions", "roas", "ctr", "conversion_rate",
    "quota_used",
})

#: Whole-number columns that may be null in every row of a range.
INT_COLUMNS = frozenset({"tier", "tokens"})


def _kind(column: str) -> Optional[str]:
    """How a column is typed: ``date``, ``month``, ``instant``, ``float`` or None."""
    base = column.rsplit(".", 1)[-1]
    if base in DATE_COLUMNS:
        return "date"
    if base in MONTH_COLUMNS:
        return "month"
    if base in INSTANT_COLUMNS:
        return "instant"
    if base in FLOAT_COLUMNS:
        return "float"
    return None


def _typed(kind: Optional[str], v: Any) -> Any:
    """One cell as the Python value of its column's type (for Arrow)."""
    if v is None or not isinstance(v, str):
        return float(v) if kind == "float" and v is not None else v
    if kind == "date":
        return datetime.date.fromisoformat(v)
    if kind == "month":
        return datetime.date.fromisoformat(v + "-01")
    if kind == "instant":
        return datetime.datetime.fromisoformat(v).astimezone(datetime.timezone.utc)
    return v


class Rows:
    """A table of the core: ``name``, ``path`` (where it is in the report; for row-level
    tables the name), ``columns`` and ``rows`` (lists of JSON values: numbers, text,
    booleans, None), as ``report --csv`` writes it.

    Implements the Arrow PyCapsule interface (``__arrow_c_stream__``, through pyarrow), so
    ``pyarrow.table(rows)`` and ``polars.DataFrame(rows)`` read it; ``len(rows)`` is the
    number of rows.
    """

    def __init__(self, name: str, columns: Sequence[str], rows: List[List[Any]],
                 path: Optional[str] = None) -> None:
        self.name = name
        self.path = path if path is not None else name
        self.columns = list(columns)
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.to_records())

    def __repr__(self) -> str:
        return f"<convolens.Rows {self.name} {len(self.rows)}x{len(self.columns)}>"

    def to_records(self) -> List[Dict[str, Any]]:
        """The rows as dicts, column name to value, as in the JSON (text dates)."""
        return [dict(zip(self.columns, r)) for r in self.rows]

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with typed columns (see the module docs)."""
        pd = _import("pandas")
        return _type_pandas(pd, pd.DataFrame(self.rows, columns=self.columns))

    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` with typed columns (see the module docs)."""
        pl = _import("polars")
        # Typed here, not by polars' inference: a column may be null or whole numbers for a
        # while before its first fraction.
        data = {c: [r[i] for r in self.rows] for i, c in enumerate(self.columns)}
        return _type_polars(pl, pl.DataFrame(data, strict=False, infer_schema_length=None))

    def to_arrow(self) -> Any:
        """A ``pyarrow.Table`` with typed columns (dates ``date32``, instants
        ``timestamp[us, UTC]``, money ``float64``)."""
        pa = _import("pyarrow")
        arrays = {}
        for i, c in enumerate(self.columns):
            kind = _kind(c)
            values = [_typed(kind, r[i]) for r in self.rows]
            typ = {"date": pa.date32(), "month": pa.date32(), "float": pa.float64(),
                   "instant": pa.timestamp("us", tz="UTC")}.get(kind or "")
            if typ is None and all(v is None for v in values):
                # A column with no value in this range: its type all the same.
                typ = pa.int64() if c in INT_COLUMNS else pa.string()
            arrays[c] = pa.array(values, type=typ)
        return pa.table(arrays)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule stream of :meth:`to_arrow` (needs pyarrow)."""
        return self.to_arrow().__arrow_c_stream__(requested_schema)


def _import(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError as e:
        raise ImportError(f"this needs {name}: pip install {name}") from e


def _type_pandas(pd: Any, df: Any) -> Any:
    for c in df.columns:
        kind = _kind(str(c))
        if kind == "date":
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d")
        elif kind == "month":
            df[c] = pd.to_datetime(df[c], format="%Y-%m")
        elif kind == "instant":
            df[c] = pd.to_datetime(df[c], utc=True, format="ISO8601")
        elif kind == "float":
            df[c] = df[c].astype("float64")
    return df


def _type_polars(pl: Any, df: Any) -> Any:
    exprs = []
    for c in df.columns:
        kind = _kind(c)
        col = pl.col(c)
        if kind in ("date", "month", "instant") and df.schema[c] != pl.Utf8:
            col = col.cast(pl.Utf8)
        if kind == "date":
            exprs.append(col.str.to_date("%Y-%m-%d"))
        elif kind == "month":
            exprs.append((col + "-01").str.to_date("%Y-%m-%d"))
        elif kind == "instant":
            exprs.append(col.str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="us")
                         .dt.convert_time_zone("UTC"))
        elif kind == "float":
            exprs.append(col.cast(pl.Float64))
    return df.with_columns(exprs) if exprs else df


def report_tables(report: Mapping[str, Any]) -> List[Rows]:
    """Every table of a report dict by the core's rule (what ``report --csv`` writes), as
    :class:`Rows` with their ``name`` (the CSV file's stem) and ``path``."""
    from ._native import report_tables as native

    return native(dict(report) if not isinstance(report, dict) else report)


def section(report: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` (a key, or dotted keys such as ``"input.messages"``).

    Raises ``KeyError`` naming the keys that do exist.
    """
    value: Any = report
    walked: List[str] = []
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            where = ".".join(walked) or "the report"
            keys = ", ".join(sorted(value)) if isinstance(value, Mapping) else "none"
            raise KeyError(f"no section {path!r}: {where} has keys {keys}")
        value = value[part]
        walked.append(part)
    return value


def _flat(obj: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, val in obj.items():
        name = f"{prefix}{key}"
        if isinstance(val, Mapping):
            out.update(_flat(val, name + "."))
        else:
            out[name] = val
    return out


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def table(report: Mapping[str, Any], path: str) -> Optional[Rows]:
    """The core's table at ``path`` (its path, ``usage.months[].by_country``, or its CSV
    name, ``usage_months_by_country``) of a report dict, or None when it has none there."""
    if "[]" not in path:
        section(report, path)  # a KeyError naming the keys for a path that is not there
    for t in report_tables(report):
        if path in (t.path, t.name):
            return t
    return None


def to_records(report: Mapping[str, Any], path: str) -> List[Dict[str, Any]]:
    """Rows (dicts) of the section at ``path`` of a report dict: the core's table there
    (see the module docs), else one row of its fields, or rows of a ``value`` column."""
    t = table(report, path)
    if t is not None:
        return t.to_records()
    value = section(report, path)
    if isinstance(value, list):
        return [_flat(v) if isinstance(v, Mapping) else {"value": v} for v in value]
    if isinstance(value, Mapping):
        vals = list(value.values())
        if not vals:
            return []
        if all(isinstance(v, Mapping) for v in vals):
            return [{"key": k, **_flat(v)} for k, v in value.items()]
        if all(_number(v) for v in vals) and not _is_record(path):
            return [{"key": k, "value": v} for k, v in value.items()]
        return [_flat(value)]
    return [{"value": value}]


#: Sections that are one thing's fields (one row), although their values are all numbers.
RECORDS = frozenset({"overall", "billing.meta_business_agent", "engagement.support"})


def _is_record(path: str) -> bool:
    return path in RECORDS


def tables(report: Mapping[str, Any], path: str = "") -> List[str]:
    """The path of every table of a report dict under ``path`` (default: all), in the
    report's order, by the core's rule (see the module docs): e.g. ``billing.cost.by_day``,
    ``usage.months``, ``usage.months[].by_country``, ``sources``, ``templates[].buttons``.
    """
    if path:
        section(report, path)
    return [t.path for t in report_tables(report)
            if not path or t.path == path or t.path.startswith(path + ".")
            or t.path.startswith(path + "[]")]


def _records_frame_pandas(rows: List[Dict[str, Any]]) -> Any:
    pd = _import("pandas")
    return _type_pandas(pd, pd.DataFrame.from_records(rows))


def to_pandas(report: Mapping[str, Any], path: str) -> Any:
    """The section at ``path`` of a report dict as a ``pandas.DataFrame`` with typed
    columns (see the module docs).

    Raises ``ImportError`` when pandas is not installed (``pip install pandas``).
    """
    t = table(report, path)
    if t is not None:
        return t.to_pandas()
    return _records_frame_pandas(to_records(report, path))


def to_polars(report: Mapping[str, Any], path: str) -> Any:
    """The section at ``path`` of a report dict as a ``polars.DataFrame`` with typed
    columns (see the module docs).

    Raises ``ImportError`` when polars is not installed (``pip install polars``).
    """
    t = table(report, path)
    if t is not None:
        return t.to_polars()
    rows = to_records(report, path)
    pl = _import("polars")
    # Schema from every row, not the first hundred: a column may be null or whole
    # numbers for a while before its first fraction.
    return _type_polars(pl, pl.from_dicts(rows, infer_schema_length=None))
