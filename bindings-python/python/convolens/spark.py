"""The same reports over data that no longer fits one machine, on Apache Spark.

Install with the extra ``convolens[spark]`` (``pyspark>=3.5``); convolens itself must be
installed on every executor, the same version as on the driver. ::

    from pyspark.sql import SparkSession
    import convolens.spark

    spark = SparkSession.builder.getOrCreate()
    lines = spark.read.text("s3://bucket/whatsapp/*.jsonl")       # one column, `value`
    report = convolens.spark.report(lines, "config.json", last="30d", partitions=64)

:func:`report` returns the dict a single :class:`convolens.Engine` fed the same lines
would return -- every section, ``input`` counters included. :func:`engine` returns the
merged engine itself (for several reports, ``snapshot()``, ``to_pandas``...).

How it runs
-----------

1. Every row gets a **user key** (:func:`user_key`, a ``json.loads`` of the row read
   only for the ids):

   * a webhook payload: the first user its ``messages`` changes name -- a message's
     ``from`` (``from_user_id`` when ``from`` is empty), else a status's
     ``recipient_id`` (``recipient_user_id``), else a contact's ``wa_id`` (``user_id``);
   * an ``outbound`` record: ``to``; an ``external_event`` or ``close`` record:
     ``contact``;
   * everything else has no user: ``spend`` and ``click`` records, webhook payloads of
     other fields (template and account updates), JSON arrays, blank rows and rows
     that are not JSON.

2. Rows are **repartitioned by that key** into ``partitions`` partitions
   (:func:`partition_of`: CRC-32 of the key modulo ``partitions``, stable across
   processes, unlike Python's ``hash``). Every row without a key goes to partition 0,
   so it is ingested exactly once, like all other rows.

3. Each partition is fed, as one JSONL stream, to its own engine restored from the
   driver's empty engine (so every engine has byte-identical configuration, and a rate
   card given as a path is read once, on the driver). The engine's ``snapshot()`` is
   the partition's only output.

4. The snapshots are **merged** -- on the driver (``merge="driver"``, the default), or
   pairwise on the executors first (``merge="tree"``, for many partitions) -- and the
   report is computed once, on the merged engine.

Why this is the single-engine report, exactly
---------------------------------------------

Every report section is a pure fold over each user's time-ordered timeline whose
contributions are summed into day aggregates, plus global facts (spend, clicks, the
configuration). Repartitioning by user puts all of a user's rows -- the inbound
messages, the business messages to them (``outbound`` records and statuses are keyed by
their recipient), their purchases and closes -- into one partition. So **per-user state
never needs cross-partition merging**: the engine of that partition holds the user's
complete timeline, and a fold over it is already final. **Day aggregates do**: each day
sums contributions from users spread over every partition, and global facts (spend,
click counts) meet every user's results only there.

``Engine.merge`` merges at the level of facts, not of results: it replays the other
engine's deduplicated facts through the idempotent ingest path and unions user
identities. The merged engine therefore holds exactly the facts one engine fed all the
rows would hold (the core's property tests check that state is independent of order,
repetition and split), and the report -- per-user folds, then day sums -- is computed
once over it. This also keeps the result exact where the key rule cannot see that two
rows belong to one user: a user named by the phone-number ``wa_id`` in one row and only
by the business-scoped id (BSUID) in another, or a (rare) webhook batch naming several
users, keyed by its first. Their facts land in two partitions and are joined by the
merge; only locality is lost.

Spend and the configuration reach every partition without double counting because
neither is per-user: the configuration is in every engine from the start (it is part of
the snapshot each partition engine is restored from), while spend records are ingested
once, in the keyless partition, and the merge carries them into the result. Nothing an
engine computes at ingest time depends on spend -- spend is joined with the per-user
results only when the report is computed, on the merged engine. Broadcasting the spend
lines instead would leave the state right (the merge deduplicates facts by key) but
count each spend line once per partition in ``input.lines`` and ``input.duplicates``.

The ``input`` counters are per-ingestion counts, and they add up because every row is
ingested exactly once, in exactly one engine: ``lines``, ``errors``, ``ignored`` and
``ignored_reasons`` are summed by the merge; ``ingested`` counts every fact the first
time it reaches the merged engine, and partitions hold disjoint facts; a repeated item
counts as a duplicate when its repeats meet in one engine, and identical rows have the
same key. The one case where a counter can differ: the very same item (message id and
status, record id) arriving in two rows with *different* keys -- for example once with
the ``wa_id`` and once with only the BSUID. The state is still exact, ``ingested`` is
still the same, but ``duplicates`` is one lower than a single engine's, because the two
copies met only in the merge, which does not count repeats.

What no reordering can reproduce: *conflicting* items -- one message id carrying two
different messages, as in documentation fixtures that reuse ids. An engine keeps the
first of them it ingests, so a single engine fed the rows in another order, and Spark,
may keep the other one. Meta's ids are unique; the equality holds for real traffic.

Rows and lines
--------------

A row is one document and counts as one line, as with ``Engine.ingest_jsonl`` on a
file with one document per line (``spark.read.text`` gives exactly that): blank rows
are counted and skipped; a null row is a blank row. A row holding a pretty-printed
document (newlines inside) is one line too -- its newlines are JSON whitespace and are
replaced by spaces -- so a DataFrame of webhook bodies gives what ``Engine.ingest_many``
of the same strings gives. Leading spaces and tabs are dropped so that a row is never
read as the continuation of a truncated row before it. Column: the only column of the
DataFrame, or ``column=``; strings or binary (UTF-8).

Line numbers in parse errors are per partition engine -- the position of the row in
its partition's stream, in no particular order -- which makes them meaningless for the
input as a whole, so they are not returned: :func:`report` counts bad rows in
``input.errors``. To see them with their messages, run ``Engine.ingest_many`` (or
``ingest_jsonl``) on the suspect rows.

Costs
-----

Keying parses each row once in Python (``json.loads``); the shuffle moves the rows as
pickled batches; each partition's rows then go to its engine in 1 MiB chunks, parsed by
the Rust core. Keying costs about as much CPU as ingesting, so on a machine or two Spark
is slower than one engine; it is for histories that do not fit one machine (measured
figures are in the README). The driver holds all snapshots at once with
``merge="driver"`` (about 55 bytes per message), merges them in turn (replaying facts
costs a fraction of ingesting them) and computes the report. With ``merge="tree"`` the
executors merge snapshots pairwise first (``RDD.treeReduce(depth)``), which pays off
with dozens of partitions and more. ``spark.driver.maxResultSize`` must exceed the
total snapshot size.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Union

from ._native import Engine

if TYPE_CHECKING:  # pragma: no cover
    from pyspark import RDD
    from pyspark.sql import Column, DataFrame

__all__ = ["engine", "partition_of", "report", "user_key"]

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]", None]

# Bytes of rows handed to the engine per read() call.
_CHUNK = 1 << 20


# --------------------------------------------------------------------------- the key rule


def _id(value: Any) -> Optional[str]:
    """A user id as the key rule reads it: a string or an integer, spaces stripped;
    empty means absent."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip(" ")
    return value or None


def _first(items: Any, *fields: str) -> Optional[str]:
    if not isinstance(items, list):
        return None
    for item in items:
        if isinstance(item, dict):
            for f in fields:
                found = _id(item.get(f))
                if found is not None:
                    return found
    return None


def _doc_key(doc: Any) -> Optional[str]:
    if not isinstance(doc, dict):
        return None
    kind = doc.get("type")
    if isinstance(kind, str):
        if kind == "outbound":
            return _id(doc.get("to"))
        if kind in ("external_event", "close"):
            return _id(doc.get("contact"))
        return None
    values = []
    entries = doc.get("entry")
    for entry in entries if isinstance(entries, list) else ():
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else ():
            if isinstance(change, dict) and change.get("field") == "messages":
                value = change.get("value")
                if isinstance(value, dict):
                    values.append(value)
    for items, fields in (
        ("messages", ("from", "from_user_id")),
        ("statuses", ("recipient_id", "recipient_user_id")),
        ("contacts", ("wa_id", "user_id")),
    ):
        for value in values:
            found = _first(value.get(items), *fields)
            if found is not None:
                return found
    return None


def user_key(line: Union[str, bytes, None]) -> Optional[str]:
    """The user a row belongs to, or ``None`` for rows that belong to no user.

    The rule, in order: a webhook payload's first message sender (``from``, else
    ``from_user_id``) over all its ``messages`` changes, else its first status recipient
    (``recipient_id``, else ``recipient_user_id``), else its first contact (``wa_id``,
    else ``user_id``); an ``outbound`` record's ``to``; an ``external_event`` or
    ``close`` record's ``contact``. Ids are strings (or integers) with surrounding
    spaces removed; empty ids are absent. ``spend`` and ``click`` records, other
    webhook fields, JSON arrays, blank and invalid rows have no user.
    """
    if line is None:
        return None
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    return _doc_key(doc)


# ------------------------------------------------------------------------ partition work


class _Rows:
    """A read-only binary file over an iterator of rows: one row per line."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        parts: List[bytes] = []
        total = 0
        for row in self._rows:
            if row is None:
                b = b""
            elif isinstance(row, str):
                b = row.encode("utf-8", "surrogatepass")
            else:
                b = bytes(row)
            if b"\n" in b:
                b = b.replace(b"\n", b" ")
            if b[:1] in (b" ", b"\t"):
                b = b.lstrip(b" \t")
            parts.append(b)
            parts.append(b"\n")
            total += len(b) + 1
            self.count += 1
            if 0 <= size <= total:
                break
        return b"".join(parts)


def _partition_engine(seed: bytes, rows: Iterator[Any]) -> Iterator[bytes]:
    """Ingest one partition's rows into an engine restored from ``seed``; yield its
    snapshot (nothing for an empty partition)."""
    eng = Engine.restore(seed)
    stream = _Rows(rows)
    eng.ingest_jsonl(stream)
    if stream.count:
        yield eng.snapshot()


def _merge_pair(a: bytes, b: bytes) -> bytes:
    merged = Engine.restore(a)
    merged.merge(Engine.restore(b))
    return merged.snapshot()


def _seed_engine(config: ConfigLike) -> Engine:
    if config is None or isinstance(config, Mapping):
        return Engine(config)
    if isinstance(config, os.PathLike):
        return Engine.from_config_file(config)
    if isinstance(config, str):
        if config.lstrip().startswith("{"):
            return Engine(config)
        return Engine.from_config_file(config)
    raise TypeError(
        f"config must be a dict, JSON text, a path or None, not {type(config).__name__}"
    )


def _single_column(df: "DataFrame", column: Optional[str]) -> str:
    if column is not None:
        return column
    if len(df.columns) != 1:
        raise ValueError(
            f"the DataFrame has columns {df.columns}; name the one holding the "
            "documents with column="
        )
    return df.columns[0]


def _partitions(context: Any, partitions: Optional[int]) -> int:
    if partitions is None:
        partitions = context.defaultParallelism
    if not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1:
        raise ValueError(f"partitions must be a positive integer, not {partitions!r}")
    return partitions


def partition_of(line: Union[str, bytes, None], partitions: int) -> int:
    """The partition (``0 <= p < partitions``) a row goes to: the CRC-32 of its
    :func:`user_key` modulo ``partitions``, and partition 0 for rows without a user."""
    key = user_key(line)
    return 0 if key is None else zlib.crc32(key.encode("utf-8")) % partitions


def _lines(source: Any, column: Optional[str]) -> "RDD[Any]":
    """The rows of a DataFrame's document column, or an RDD as it is."""
    if hasattr(source, "sparkSession"):
        col = _single_column(source, column)
        return source.select(col).rdd.map(lambda r: r[0])
    if hasattr(source, "mapPartitions"):
        return source
    raise TypeError(f"expected a Spark DataFrame or RDD, not {type(source).__name__}")


def _snapshots(lines: "RDD[Any]", seed: bytes, n: int) -> "RDD[bytes]":
    """One snapshot per non-empty partition of ``lines`` repartitioned by user."""
    keyed = lines.map(lambda line: (partition_of(line, n), line))
    by_user = keyed.partitionBy(n, lambda p: p)
    return by_user.mapPartitions(lambda it: _partition_engine(seed, (v for _, v in it)))


# ----------------------------------------------------------------------------- public API


def engine(
    df: Union["DataFrame", "RDD[str]"],
    config: ConfigLike = None,
    partitions: Optional[int] = None,
    *,
    column: Optional[str] = None,
    merge: str = "driver",
    depth: int = 2,
) -> Engine:
    """The engine one :class:`convolens.Engine` fed every row of ``df`` would be, built
    on Spark: rows repartitioned by user into ``partitions`` partitions (default: the
    context's default parallelism), one engine per partition, snapshots merged.

    ``df`` is a DataFrame with one string (or binary) column of convolens JSONL lines or
    webhook payloads (or name it with ``column=``), or an RDD of such strings.
    ``config`` is a dict, JSON text, a path to a JSON config file, or ``None``.
    ``merge`` is ``"driver"`` (collect the snapshots, merge on the driver) or ``"tree"``
    (merge pairwise on the executors with ``treeReduce(depth)`` first).
    """
    if merge not in ("driver", "tree"):
        raise ValueError(f"merge must be 'driver' or 'tree', not {merge!r}")
    lines = _lines(df, column)
    n = _partitions(lines.context, partitions)
    base = _seed_engine(config)
    seed = base.snapshot()
    snaps = _snapshots(lines, seed, n)
    if merge == "tree":
        try:
            return Engine.restore(snaps.treeReduce(_merge_pair, depth))
        except ValueError:  # no rows at all: treeReduce of an empty RDD
            return base
    parts = snaps.collect()
    if not parts:
        return base
    merged = Engine.restore(parts[0])
    parts[0] = b""
    for i in range(1, len(parts)):
        merged.merge(Engine.restore(parts[i]))
        parts[i] = b""
    return merged


def report(
    df: Union["DataFrame", "RDD[str]"],
    config: ConfigLike = None,
    start: Any = None,
    end: Any = None,
    partitions: Optional[int] = None,
    *,
    last: Optional[str] = None,
    phone: Optional[str] = None,
    model: Optional[str] = None,
    time_zone: Optional[str] = None,
    column: Optional[str] = None,
    merge: str = "driver",
    depth: int = 2,
) -> Dict[str, Any]:
    """The report of :func:`engine`'s merged engine: the same dict, with the same keys as
    ``report --json``, that one engine fed every row of ``df`` returns.

    ``start``, ``end``, ``last``, ``phone``, ``model`` and ``time_zone`` are those of
    :meth:`convolens.Engine.report`; ``partitions``, ``column``, ``merge`` and ``depth``
    those of :func:`engine`.
    """
    merged = engine(df, config, partitions, column=column, merge=merge, depth=depth)
    return merged.report(
        start, end, last=last, phone=phone, model=model, time_zone=time_zone
    )
