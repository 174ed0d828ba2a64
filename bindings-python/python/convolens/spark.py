"""The same reports over data that no longer fits one machine, on Apache Spark.

Install with the extra ``convolens[spark]`` (``pyspark[connect]>=3.5``: pyspark with the
pyarrow that ``mapInArrow`` needs and the Spark Connect client; and a Java runtime for a
local Spark); convolens itself must be installed on every executor, the same version as
on the driver. ::

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

Only the DataFrame API is used -- no RDDs, no private attributes -- so the same code runs
on a classic session and on Spark Connect (``SparkSession.builder.remote(...)``,
Databricks serverless and shared clusters).

1. Every row gets a partition (:func:`partition_of`, computed by the Rust core): the
   64-bit FNV-1a hash of its **user key** (:func:`user_key`) modulo ``partitions``. The
   user key is the ``wa_id``, else the business-scoped user id (BSUID), of the first
   event of the row that names a user, as the core parses it: a webhook's first contact,
   message sender or status recipient; an ``outbound`` record's ``to``; an
   ``external_event``'s or ``close``'s ``contact``. Rows without a user -- ``spend``
   and ``click`` records, webhooks of other fields, blank and invalid rows -- all go to
   partition 0, so each is ingested exactly once. The row's position in the input is
   ``monotonically_increasing_id()`` (input partition, then place in it); the key is
   computed in a ``mapInArrow`` over the input, one Arrow batch at a time.

2. Rows are shuffled by partition (``repartition(partitions, "part")``) and sorted there
   by partition and position (``sortWithinPartitions``), so every partition's rows reach
   its engine in input order, as one engine fed everything would see them. (Spark hashes
   the partition number again, so one Spark task may hold several partitions: each gets
   its own engine.)

3. A second ``mapInArrow`` feeds each partition's rows, as one JSONL stream, to an engine
   restored from the driver's empty engine: every engine has byte-identical configuration
   (a rate card given as a path is read once, on the driver). The engine's ``snapshot()``
   is the partition's only output, one row ``(part, snapshot)``.

4. The snapshots are **merged** in partition order -- on the driver (``merge="driver"``,
   the default), or first on the executors (``merge="tree"``, for many partitions:
   ``depth`` rounds, each merging groups of consecutive partitions with one more
   ``mapInArrow``), always into the engine of the lower partition -- and the report is
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
the only column of the DataFrame, or ``column=``; strings or binary (UTF-8). An RDD is
not accepted (Spark Connect has none): make it a DataFrame first, e.g.
``rdd.map(lambda s: (s,)).toDF(["value"])`` on a classic session.

Parse errors are counted in ``input.errors``; their line numbers are per partition
engine, so they are not returned. To see them, run ``Engine.ingest_many`` (or
``ingest_jsonl``) on the suspect rows.

Costs
-----

Keying parses each row once in the Rust core (cheaper than ingesting it); the shuffle
moves the rows as Arrow batches and sorts them back into input order per partition;
each partition's rows then go to its engine in 1 MiB chunks. On one or two machines
Spark is slower than one engine (measured figures are in the README); it is for
histories that do not fit one machine. The driver holds all snapshots at once with
``merge="driver"`` (about 55 bytes per message) and merges them in turn (replaying facts
costs a fraction of ingesting them); ``spark.driver.maxResultSize`` must exceed their
total. With ``merge="tree"`` the executors merge groups of snapshots first, which pays
off with dozens of partitions and more. A snapshot travels as one Arrow binary value, so
one partition's snapshot must stay under 2 GiB: use more partitions for more data.
"""

from __future__ import annotations

import importlib
import itertools
import os
from typing import (
    IO,
    Any,
    Callable,
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

# A pyspark DataFrame (classic or Spark Connect). pyspark is an optional dependency,
# imported only when Spark runs, so its types are not spelled here.
SparkData = Any
# A pyarrow RecordBatch, as mapInArrow hands them over.
_Batch = Any

ConfigLike = Union[Mapping[str, Any], str, "os.PathLike[str]", None]

# The schemas of the two mapInArrow stages.
_KEYED = "part int, pos long, doc binary"
_SNAPSHOTS = "part int, snapshot binary"


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


def _pyarrow() -> Any:
    return importlib.import_module("pyarrow")


def _keyed(n: int) -> Callable[[Iterable[_Batch]], Iterator[_Batch]]:
    """Stage 1 (mapInArrow): ``(doc, pos)`` batches to ``(part, pos, doc)``, each doc made
    one JSONL line by :func:`_row_bytes`."""

    def keyed(batches: Iterable[_Batch]) -> Iterator[_Batch]:
        pa = _pyarrow()
        for batch in batches:
            docs = [_row_bytes(d) for d in batch.column(0).to_pylist()]
            parts = [partition_of(b, n) if b else 0 for b in docs]
            yield pa.RecordBatch.from_arrays(
                [pa.array(parts, pa.int32()), batch.column(1), pa.array(docs, pa.binary())],
                names=["part", "pos", "doc"],
            )

    return keyed


def _rows_of(batches: Iterable[_Batch]) -> Iterator[Tuple[int, Any]]:
    """The ``(first column, second column)`` pairs of every row of the batches."""
    for batch in batches:
        yield from zip(batch.column(0).to_pylist(), batch.column(1).to_pylist())


def _snapshot_batch(part: int, snapshot: bytes) -> _Batch:
    pa = _pyarrow()
    return pa.RecordBatch.from_arrays(
        [pa.array([part], pa.int32()), pa.array([snapshot], pa.binary())],
        names=["part", "snapshot"],
    )


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


def _partition_engines(seed: bytes) -> Callable[[Iterable[_Batch]], Iterator[_Batch]]:
    """Stage 2 (mapInArrow): ``(part, doc)`` rows sorted by partition and position to one
    ``(part, snapshot)`` row per partition: the rows fed in order to an engine restored
    from ``seed``."""

    def run(batches: Iterable[_Batch]) -> Iterator[_Batch]:
        for part, rows in itertools.groupby(_rows_of(batches), key=lambda r: r[0]):
            eng = Engine.restore(seed)
            stream = _Lines(doc for _, doc in rows)
            eng.ingest_jsonl(cast(IO[bytes], stream))
            if stream.count:
                yield _snapshot_batch(part, eng.snapshot())

    return run


def _merge_sorted(parts: Iterable[Tuple[int, bytes]]) -> Optional[Tuple[int, Engine]]:
    """``(part, snapshot)`` pairs merged in partition order into the engine of the lowest
    partition (partition 0, which holds the spend lines, stays the base of every merge
    it is part of); ``None`` for no pairs."""
    ordered = sorted(parts, key=lambda p: p[0])
    if not ordered:
        return None
    first = ordered[0][0]
    merged = Engine.restore(ordered[0][1])
    ordered[0] = (first, b"")
    for i in range(1, len(ordered)):
        merged.merge(Engine.restore(ordered[i][1]))
        ordered[i] = (ordered[i][0], b"")  # let each snapshot go once merged
    return first, merged


def _merge_groups(stride: int) -> Callable[[Iterable[_Batch]], Iterator[_Batch]]:
    """One round of ``merge="tree"`` (mapInArrow): ``(part, snapshot)`` rows sorted by
    partition, merged per group of ``stride`` consecutive partitions (``part // stride``)
    into the group's lowest partition."""

    def run(batches: Iterable[_Batch]) -> Iterator[_Batch]:
        for _, group in itertools.groupby(_rows_of(batches), key=lambda r: r[0] // stride):
            merged = _merge_sorted(group)
            if merged is not None:
                yield _snapshot_batch(merged[0], merged[1].snapshot())

    return run


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


def _document_column(df: SparkData, column: Optional[str]) -> str:
    """The name of the DataFrame's column holding the documents (string or binary)."""
    if not (hasattr(df, "sparkSession") and hasattr(df, "mapInArrow")):
        hint = (
            " (an RDD: make it a DataFrame first, e.g. rdd.map(lambda s: (s,)).toDF(['value']))"
            if type(df).__name__ == "RDD"
            else ""
        )
        raise TypeError(f"expected a Spark DataFrame, not {type(df).__name__}{hint}")
    if column is None:
        if len(df.columns) != 1:
            raise ValueError(
                f"the DataFrame has columns {df.columns}; name the one holding "
                "the documents with column="
            )
        column = df.columns[0]
    kind = dict(df.dtypes).get(column)
    if kind not in ("string", "binary"):
        raise TypeError(f"column {column!r} is {kind}, not string or binary")
    return column


def _default_partitions(spark: Any) -> int:
    """``spark.default.parallelism`` when set, else ``spark.sql.shuffle.partitions``."""
    for key in ("spark.default.parallelism", "spark.sql.shuffle.partitions"):
        try:
            value = spark.conf.get(key, None)
        except Exception:  # noqa: BLE001 - a conf the session does not expose
            value = None
        if value is not None and str(value).strip().isdigit() and int(value) > 0:
            return int(value)
    raise ValueError(
        "neither spark.default.parallelism nor spark.sql.shuffle.partitions is a number "
        "here; give partitions="
    )


def _tree_stride(n: int, depth: int) -> int:
    """The group size of each ``merge="tree"`` round: the smallest ``k >= 2`` with
    ``k ** depth >= n``, so ``depth`` rounds leave one snapshot."""
    k = 2
    while k**depth < n:
        k += 1
    return k


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
    (default: ``spark.default.parallelism`` when set, else ``spark.sql.shuffle.partitions``),
    one engine per partition, snapshots merged.

    ``df`` is a DataFrame -- of a classic or a Spark Connect session -- with one string
    (or binary) column of convolens JSONL lines or webhook payloads (or name it with
    ``column=``). ``config`` is a dict, JSON text, a path to a JSON config file, or
    ``None``. ``merge`` is ``"driver"`` (collect the snapshots, merge them on the driver)
    or ``"tree"`` (merge them on the executors first, in ``depth`` rounds of groups of
    consecutive partitions).
    """
    if merge not in ("driver", "tree"):
        raise ValueError(f"merge must be 'driver' or 'tree', not {merge!r}")
    if not isinstance(depth, int) or isinstance(depth, bool) or depth < 1:
        raise ValueError(f"depth must be a positive integer, not {depth!r}")
    column = _document_column(df, column)
    n = _default_partitions(df.sparkSession) if partitions is None else partitions
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"partitions must be a positive integer, not {n!r}")
    functions = importlib.import_module("pyspark.sql.functions")
    base = _seed_engine(config)
    seed = base.snapshot()
    snaps = (
        df.select(
            functions.col(column).cast("binary").alias("doc"),
            functions.monotonically_increasing_id().alias("pos"),
        )
        .mapInArrow(_keyed(n), _KEYED)
        .repartition(n, "part")
        .sortWithinPartitions("part", "pos")
        .select("part", "doc")
        .mapInArrow(_partition_engines(seed), _SNAPSHOTS)
    )
    if merge == "tree":
        stride, k = 1, _tree_stride(n, depth)
        for _ in range(depth):
            stride *= k
            groups = -(-n // stride)
            snaps = (
                snaps.repartition(groups, (functions.col("part") / stride).cast("int"))
                .sortWithinPartitions("part")
                .mapInArrow(_merge_groups(stride), _SNAPSHOTS)
            )
    merged = _merge_sorted((row[0], row[1]) for row in snaps.collect())
    return base if merged is None else merged[1]


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
