"""Report sections as tables: plain row dicts, pandas or polars DataFrames.

pandas and polars are optional: each is imported only when its function is called.

How a section becomes rows (the same rule for every section, present and future):

* a list of objects: one row per object;
* an object whose values are all objects (e.g. stats keyed by source): one row per
  entry, with the entry's name in a ``key`` column;
* an object whose values are all numbers (e.g. counts keyed by type): rows of
  ``key`` and ``value``;
* a list of lists (the ``engagement.heatmap``): one row per inner list, with its index in
  a ``row`` column (0 = Monday for the heatmap) and one column per position (``0`` to
  ``23``), as ``report --csv`` writes it;
* any other object (e.g. ``range``, ``input``): a single row (none when empty);
* a bare value or a list of values: rows with a ``value`` column.

Nested objects inside a row are flattened into dotted column names (``messages.text``);
lists inside a row (``sources[].funnel``, ``templates[].buttons``) stay lists in one
cell: ask for them by their own path to get their rows, e.g. one template's buttons
with ``to_records(report["templates"][0], "buttons")``.

:func:`tables` lists every path of a report that makes a table (a list of rows or a
keyed object), for example ``billing.cost.by_day``, ``usage.months``, ``sources``,
``engagement.daily_active``, ``templates``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping


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


def to_records(report: Mapping[str, Any], path: str) -> List[Dict[str, Any]]:
    """Rows (dicts) for the section at ``path`` of a report dict, by the module's rule."""
    value = section(report, path)
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            return [{"row": i, **{str(j): x for j, x in enumerate(v)}}
                    for i, v in enumerate(value)]
        return [_flat(v) if isinstance(v, Mapping) else {"value": v} for v in value]
    if isinstance(value, Mapping):
        vals = list(value.values())
        if not vals:
            return []
        if vals and all(isinstance(v, Mapping) for v in vals):
            return [{"key": k, **_flat(v)} for k, v in value.items()]
        if vals and all(_number(v) for v in vals):
            return [{"key": k, "value": v} for k, v in value.items()]
        return [_flat(value)]
    return [{"value": value}]


def _is_table(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and (all(isinstance(v, Mapping) for v in value)
                                or all(isinstance(v, list) for v in value))
    if isinstance(value, Mapping) and value:
        vals = list(value.values())
        return all(isinstance(v, Mapping) for v in vals) or all(_number(v) for v in vals)
    return False


def tables(report: Mapping[str, Any], path: str = "") -> List[str]:
    """Every dotted path under ``path`` (default: the whole report) whose value makes a
    table by the module's rule: a non-empty list of objects or of lists, or a non-empty
    object whose values are all objects or all numbers. Objects are searched
    recursively, in the report's order, but not inside a table (an object of objects is
    one table, not one per entry) nor inside lists (lists in rows are cells).
    """
    value = section(report, path) if path else report
    out: List[str] = []

    def walk(prefix: str, v: Any) -> None:
        if prefix and _is_table(v):
            out.append(prefix)
        elif isinstance(v, Mapping):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else str(k), x)

    walk(path, value)
    return out


def to_pandas(report: Mapping[str, Any], path: str) -> Any:
    """The section at ``path`` of a report dict as a ``pandas.DataFrame``.

    Raises ``ImportError`` when pandas is not installed (``pip install pandas``).
    """
    rows = to_records(report, path)
    try:
        import pandas as pd  # type: ignore[import, unused-ignore]
    except ImportError as e:
        raise ImportError("to_pandas needs pandas: pip install pandas") from e

    return pd.DataFrame.from_records(rows)


def to_polars(report: Mapping[str, Any], path: str) -> Any:
    """The section at ``path`` of a report dict as a ``polars.DataFrame``.

    Raises ``ImportError`` when polars is not installed (``pip install polars``).
    """
    rows = to_records(report, path)
    try:
        import polars as pl  # type: ignore[import, unused-ignore]
    except ImportError as e:
        raise ImportError("to_polars needs polars: pip install polars") from e

    # Schema from every row, not the first hundred: a column may be null or whole
    # numbers for a while before its first fraction.
    return pl.from_dicts(rows, infer_schema_length=None)
