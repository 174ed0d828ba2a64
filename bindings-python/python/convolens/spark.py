"""The same reports over data that no longer fits one machine, on Apache Spark.

Install with the extra ``convolens[spark]`` (``pyspark>=3.5``, and a Java runtime for
Spark); convolens itself must be installed on every executor, the same version as on the
driver. ::

    from pyspark.sql import SparkSession
    import convolens.spark

    spark = SparkSession.builder.getOrCreate()
    lines = spark.read.text("s3://bucket/whatsapp/*.jsonl")       # one column, `value`
    report = convolens.spark.report(lines, "config.json", partitions=64, last="30d")

:func:`report` returns the dict one :class:`convolens.Engine` fed the same rows in the
same order returns -- every section, ``input`` counters included. :func:`engine` returns
the merged engine itself (for several reports, ``snapshot()``, ``to_pandas``...).

How it runs
-----------

1. Every row gets a partition (:func:`partition_of`, computed by the Rust core): the
   64-bit FNV-1a hash of its **user key** (:func:`user_key`) modulo ``partitions``. The
   user key is the ``wa_id``, else the business-scoped user id (BSUID), of the first
   event of the row that names a user, as the core parses it: a webhook's first contact,
   message sender or status recipient; an ``outbound`` record's ``to``; an
   ``external_event``'s or ``close``'s ``contact``. Rows without a user -- ``spend``
   and ``click`` records, webhooks of other fields, blank and invalid rows -- all go to
   partition 0, so each is ingested exactly once.

2. Rows are shuffled to their partition and sorted there by their position in the input
   (``repartitionAndSortWithinPartitions``), so every partition engine sees its rows in
   input order, as one engine fed everything would.

3. Each partition's rows go, as one JSONL stream, to an engine restored from the driver's
   empty engine: every engine has byte-identical configuration (a rate card given as a
   path is read once, on the driver). The engine's ``snapshot()`` is the partition's only
   output.

4. The snapshots are **merged** in partition order -- on the driver (``merge="driver"``,
   the default), or pairwise on the executors first (``merge="tree"``, for many
   partitions), always into the engine of the lower partition -- and the report is
   computed once, on the merged engine.

Why this is the single-engine report
------------------------------------

Every report section is a pure fold over each user's time-ordered timeline, whose
results are summed into per-day aggregates and joined with global facts (spend, clicks,
the configuration). Keying by user puts a user's inbound messages, the business's
messages to them (``outbound`` records and statuses both name the recipient), their
conversions and closes into one partition. So **per-user state never needs merging
across partitions**: one partition's engine holds the user's whole timeline, and a fold
over it is final. **Day aggregates do**: a day sums the contributions of users spread
over every partition, and spend meets the per-user results only there -- which is why
partitions return their facts (snapshots), not their reports, and the report is computed
after the merge.

``Engine.merge`` merges facts, not results: it replays the other engine's deduplicated
facts through the idempotent ingest path and unions user identities. The merged state is
therefore the state one engine builds from all the rows even where the key cannot see
that two rows concern one user -- a user named by ``wa_id`` in one row and only by BSUID
in another, or a webhook batch naming several users (routed whole by its first user,
not split): their facts meet in the merge; only locality is lost.

Spend and the configuration reach every partition without double counting: the
configuration is in every engine from the start (it is part of the snapshot each
partition engine is restored from), while spend records, having no user, are ingested
once, in partition 0, in input order, and carried into the result by the merge. Spend
is joined with the per-user results only when the report is computed. (Broadcasting the
spend lines instead would leave the state right -- the merge deduplicates spend by key --
but count each line once per partition in ``input.lines`` and ``input.duplicates``.)

The ``input`` counters add up because every row is ingested exactly once, in one engine,
in input order: lines, errors, ignored items and duplicates are summed by the merge, and
each unique fact counts as ingested once (partition 0 is the merge base, so a restated
spend line counts as in one engine). The one counter that can differ: the very same item
(a message id, a status of it, a record id) in two rows with *different* keys -- once
with the ``wa_id``, once with only the BSUID, or in a multi-user status batch and again
alone. One engine counts the second copy as a duplicate; the partitions' copies meet only
in the merge, which does not count repeats, so ``duplicates`` is lower by one per such
pair. The state, and every other number, is the same.

Rows
----

A row is one document and counts as one line, as in a JSONL file with one document per
line (``spark.read.text`` gives exactly that): blank (and null) rows are counted and
skipped. A row holding a pretty-printed document (line breaks inside) is one line too --
its line breaks are read as spaces -- so a DataFrame of webhook bodies as received gives
what ``Engine.ingest_many`` of the same strings gives. A row is never joined with the
next one, as ``ingest_jsonl`` joins the lines of a pretty-printed document in a file: do
not read pretty-printed files with ``spark.read.text`` (use ``wholetext=True``). Column:
the only column of the DataFrame, or ``column=``; strings or binary (UTF-8). An RDD of
strings or bytes works as well.

Parse errors are counted in ``input.errors``; their line numbers are per partition
engine, so they are not returned. To see them, run ``Engine.ingest_many`` (or
``ingest_jsonl``) on the suspect rows.

Costs
-----

Keying parses each row once in the Rust core (cheaper than ingesting it); the shuffle
moves the rows as pickled batches and sorts them back into input order per partition;
each partition's rows then go to its engine in 1 MiB chunks. On one or two machines
Spark is slower than one engine (measured figures are in the README); it is for
histories that do not fit one machine. The driver holds all snapshots at once with
``merge="driver"`` (about 55 bytes per message) and merges them in turn (replaying facts
costs a fraction of ingesting them); ``spark.driver.maxResultSize`` must exceed their
total. With ``merge="tree"`` the executors merge snapshots pairwise first
(``RDD.treeReduce(depth)``), which pays off with dozens of partitions and more.
"""

from __future__ import annotations

import importlib
import os
from typing import (
    IO,
    Any,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
    cast,
)

from ._native import Engine, partition_of, user_key
from .types import Report

__all__ = ["engine", "partition_of", "report", "user_key"]

# A pyspark DataFrame or RDD. pyspark is an optional dependency, imported only when
# Spark runs, so its types are not spelled here.
SparkData = Any

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]", None]
# (partition, input partition, position in it): where a row goes and where it came from.
_Key = Tuple[int, int, int]


def _row_bytes(row: Any) -> bytes:
    """A row as one JSONL line without its newline: line breaks become spaces, leading
    spaces and tabs are dropped, and a row that could read as the continuation of a
    truncated row before it (it starts with ``}`` or ``]``; never a document by itself)
    is made plainly invalid, so that no two rows are ever joined."""
    if row is None:
        return b""
    if isinstance(row, str):
        b = row.encode("utf-8", "surrogatepass")
    elif isinstance(row, (bytes, bytearray, memoryview)):
        b = bytes(row)
    else:
        raise TypeError(f"a row must be a str or bytes document, not {type(row).__name__}")
    if b"\n" in b:
        b = b.replace(b"\n", b" ")
    if b[:1] in (b" ", b"\t"):
        b = b.lstrip(b" \t")
    if b[:1] in (b"}", b"]"):
        b = b"!" + b
    return b


def _keyed(n: int) -> Any:
    def keyed(index: int, rows: Iterable[Any]) -> Iterator[Tuple[_Key, bytes]]:
        for pos, row in enumerate(rows):
            b = _row_bytes(row)
            yield (partition_of(b, n) if b else 0, index, pos), b

    return keyed


class _Lines:
    """A read-only binary file over rows: one row per line."""

    def __init__(self, rows: Iterator[bytes]) -> None:
        self._rows = rows
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        parts: List[bytes] = []
        total = 0
        for b in self._rows:
            parts.append(b)
            parts.append(b"\n")
            total += len(b) + 1
            self.count += 1
            if 0 <= size <= total:
                break
        return b"".join(parts)


def _partition_engine(seed: bytes) -> Any:
    def run(index: int, rows: Iterator[Tuple[_Key, bytes]]) -> Iterator[Tuple[int, bytes]]:
        eng = Engine.restore(seed)
        stream = _Lines(b for _, b in rows)
        eng.ingest_jsonl(cast(IO[bytes], stream))
        if stream.count:
            yield index, eng.snapshot()

    return run


def _merge_pair(
    a: Optional[Tuple[int, bytes]], b: Optional[Tuple[int, bytes]]
) -> Optional[Tuple[int, bytes]]:
    """Merge two partitions' snapshots into the engine of the lower partition (partition
    0, which holds the spend lines, stays the base of every merge it is part of).
    ``None`` (no partition) is the identity."""
    if a is None or b is None:
        return b if a is None else a
    lo, hi = (a, b) if a[0] < b[0] else (b, a)
    merged = Engine.restore(lo[1])
    merged.merge(Engine.restore(hi[1]))
    return lo[0], merged.snapshot()


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


def _column_bytes(df: SparkData, column: str) -> Optional[SparkData]:
    """The column's values as an RDD of ``bytes`` (``None`` for nulls) straight from the
    JVM, without building a Python ``Row`` per value (two to three times faster than
    ``df.rdd``); ``None`` where that is not available (Spark Connect)."""
    try:
        pyspark = importlib.import_module("pyspark")
        serializers = importlib.import_module("pyspark.serializers")
        sc = df.sparkSession.sparkContext
        jdf = df.select(column)._jdf
        encoders = sc._jvm.org.apache.spark.sql.Encoders
        kind = dict(df.dtypes)[column]
        encoder = {"string": encoders.STRING, "binary": encoders.BINARY}[kind]()
        jrdd = getattr(jdf, "as")(encoder).javaRDD()
        return pyspark.RDD(jrdd, sc, serializers.UTF8Deserializer(use_unicode=False))
    except Exception:  # noqa: BLE001 - any failure: take the portable path
        return None


def _rows(source: SparkData, column: Optional[str]) -> SparkData:
    """The documents of a DataFrame's column, or an RDD as it is."""
    if hasattr(source, "sparkSession"):
        if column is None:
            if len(source.columns) != 1:
                raise ValueError(
                    f"the DataFrame has columns {source.columns}; name the one holding "
                    "the documents with column="
                )
            column = source.columns[0]
        kind = dict(source.dtypes).get(column)
        if kind not in ("string", "binary"):
            raise TypeError(f"column {column!r} is {kind}, not string or binary")
        fast = _column_bytes(source, column)
        if fast is not None:
            return fast
        return source.select(column).rdd.map(lambda r: r[0])
    if hasattr(source, "mapPartitionsWithIndex"):
        return source
    raise TypeError(f"expected a Spark DataFrame or RDD, not {type(source).__name__}")


def _first(key: _Key) -> int:
    return key[0]


def engine(
    df: SparkData,
    config: ConfigLike = None,
    partitions: Optional[int] = None,
    *,
    column: Optional[str] = None,
    merge: str = "driver",
    depth: int = 2,
) -> Engine:
    """The engine one :class:`convolens.Engine` fed every row of ``df``, in order, would
    be, built on Spark: rows repartitioned by user into ``partitions`` partitions
    (default: the context's default parallelism), one engine per partition, snapshots
    merged.

    ``df`` is a DataFrame with one string (or binary) column of convolens JSONL lines or
    webhook payloads (or name it with ``column=``), or an RDD of such strings or bytes.
    ``config`` is a dict, JSON text, a path to a JSON config file, or ``None``.
    ``merge`` is ``"driver"`` (collect the snapshots, merge them on the driver) or
    ``"tree"`` (merge them pairwise on the executors with ``treeReduce(depth)``).
    """
    if merge not in ("driver", "tree"):
        raise ValueError(f"merge must be 'driver' or 'tree', not {merge!r}")
    rows = _rows(df, column)
    n = rows.context.defaultParallelism if partitions is None else partitions
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"partitions must be a positive integer, not {n!r}")
    base = _seed_engine(config)
    seed = base.snapshot()
    snaps = (
        rows.mapPartitionsWithIndex(_keyed(n))
        .repartitionAndSortWithinPartitions(n, _first)
        .mapPartitionsWithIndex(_partition_engine(seed))
    )
    if merge == "tree":
        top = snaps.treeAggregate(None, _merge_pair, _merge_pair, depth)
        return base if top is None else Engine.restore(top[1])
    parts = sorted(snaps.collect())
    if not parts:
        return base
    merged = Engine.restore(parts[0][1])
    for i in range(1, len(parts)):
        merged.merge(Engine.restore(parts[i][1]))
        parts[i] = (parts[i][0], b"")  # let each snapshot go once merged
    return merged


def report(
    df: SparkData,
    config: ConfigLike = None,
    start: Any = None,
    end: Any = None,
    partitions: Optional[int] = None,
    *,
    column: Optional[str] = None,
    merge: str = "driver",
    depth: int = 2,
    **options: Any,
) -> Report:
    """The report of :func:`engine`'s merged engine: the dict (typed as
    :class:`convolens.types.Report`), with the keys of ``report --json``, that one engine
    fed every row of ``df`` returns.

    ``start`` (inclusive) and ``end`` (exclusive) days and the other ``options``
    (``last``, ``phone``, ``model``, ``time_zone``, ...) are those of
    :meth:`convolens.Engine.report`; ``partitions``, ``column``, ``merge`` and ``depth``
    those of :func:`engine`.
    """
    merged = engine(df, config, partitions, column=column, merge=merge, depth=depth)
    return merged.report(start, end, **options)
