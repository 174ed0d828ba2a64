"""Python ingestion throughput against Rust's, on the example traffic scaled up.

    bash bindings-python/test.sh          # once: builds the package into target/py-venv
    target/py-venv/bin/python benches/python_ingest.py [--lines 1000000] [--runs 2]
        [--file PATH] [--threads N] [--jsonl-only]

Generates JSONL with the example-data generator (`gen_data`, seed 42, 61 days, users
scaled so the file has about --lines lines; cut to exactly that many), or takes --file
(e.g. the peers bench's `benches/peers/.data/traffic-100000.jsonl`), times Rust
ingestion alone (`benches/examples/ingest_timing.rs`: `Engine::ingest_reader_threads` on
the file with --threads threads, default 1), then the Python ways in, each on a fresh
engine, best of --runs:

* `ingest_jsonl(path, threads=N)`, `ingest_jsonl(binary file object, threads=N)`, with
  the same --threads as Rust (`ingest_jsonl`'s own default is every core);
* `ingest_many` over the lines as `bytes`, as `str`, and as dicts (already parsed with
  `json.loads`: the conversion of the dicts back to JSON is what is timed);
* a loop calling `ingest(line)` per line, for reference (one crossing per message), on
  the first --per-line lines only (its rate is per line, comparable with the others).

Prints a table with lines per second, MB/s and the ratio to Rust, from CPU time (user +
system of the process, which a busy machine disturbs far less than wall-clock time) and,
for reference, the ratio from wall-clock time. Nothing is asserted: the figures go into
the notes below. About 6 minutes on a busy 2-core machine once the data and the Rust
timing program exist (generating them adds 2-3 minutes the first time).

Figures (1 000 000 lines, 382.7 MB, best of 2, python 3.11.7, on a shared 2-core machine
with a load average near 7: each process got about 40 % of a core, hence wall time ≈ 2.5 ×
CPU time; Rust was timed before and after the Python runs, in the same run):

    method                           lines  wall s   cpu s   lines/s   MB/s  vs rust  (wall)
    rust Engine::ingest_reader     1000000   11.54    4.57   218,818   83.7     100%    100%
    ingest_jsonl(path)             1000000   12.02    4.81   207,976   79.6      95%     96%
    ingest_jsonl(binary file)      1000000   13.23    5.14   194,534   74.5      89%     87%
    ingest_many(bytes lines)       1000000   12.32    4.95   201,931   77.3      92%     94%
    ingest_many(str lines)         1000000   16.21    6.53   153,043   58.6      70%     71%
    ingest(line) per line           100000    2.94    1.21    82,898   29.9      38%     39%
    ingest_many(dicts)             1000000   15.95    7.76   128,917   49.3      59%     72%

`ingest_jsonl(path)` runs the same Rust code as the Rust figure; every bulk way in stays
above half of Rust's rate. `str` lines cost a UTF-8 view each; dicts are written back to
JSON (under the GIL, a chunk at a time) before the chunk is ingested without it. One call
per line costs about 60 % of the throughput.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import convolens

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_LINES_PER_USER = 11123 / 400  # examples/data/example.jsonl: 400 users, 11 123 lines


def cargo(*args: str) -> str:
    return subprocess.run(["cargo", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout


def generate(lines: int, out: Path) -> None:
    if out.exists() and sum(1 for _ in out.open("rb")) == lines:
        return
    raw = out.with_suffix(".raw")
    users, have = int(lines / EXAMPLE_LINES_PER_USER) + 1, 0
    while have < lines:  # lines per user vary a little with the scale: grow until enough
        users = int(users * max(1.02, lines / max(have, 1) * 1.02)) if have else users
        cargo("run", "--release", "-q", "--bin", "gen_data", "--", "--users", str(users),
              "--days", "61", str(raw))
        have = sum(1 for _ in raw.open("rb"))
    with raw.open("rb") as src, out.open("wb") as dst:
        for i, line in enumerate(src):
            if i == lines:
                break
            dst.write(line)
    raw.unlink()


def best_of(runs: int, fn: Callable[[convolens.Engine], object]
            ) -> Tuple[float, float, object]:
    """Best wall-clock and best CPU seconds (this process) of `runs` runs on fresh
    engines, and the last result."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        engine = convolens.Engine()
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        result = fn(engine)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        del engine
    return best, best_cpu, result


def finish(args: argparse.Namespace, size: int, rust: Dict[str, float],
           rust_timing: Callable[[], Dict[str, float]],
           rows: List[Tuple[str, float, float, int]], few_bytes: int) -> None:
    """Time Rust again (the best of both runs counts) and print the table."""
    again = rust_timing()
    rust = {k: min(rust[k], again[k]) for k in rust}
    name = "rust ingest_reader" + (f"_threads({args.threads})" if args.threads > 1 else "")
    rows.insert(0, (name, rust["seconds"], rust["cpu"], args.lines))
    print(f"{'method':28} {'lines':>9} {'wall s':>7} {'cpu s':>7} {'lines/s':>9} "
          f"{'MB/s':>6} {'vs rust':>8} {'(wall)':>7}")
    for name, seconds, cpu, lines in rows:
        nbytes = size if lines == args.lines else few_bytes
        print(f"{name:28} {lines:9} {seconds:7.2f} {cpu:7.2f} {lines / cpu:9,.0f} "
              f"{nbytes / cpu / 1e6:6.1f} {rust['cpu'] / args.lines * lines / cpu:8.0%} "
              f"{rust['seconds'] / args.lines * lines / seconds:7.0%}")
    print("lines/s, MB/s and `vs rust` from CPU time; `(wall)`: the ratio from wall time")
    print(f"python {sys.version.split()[0]}, convolens {convolens.__version__}, "
          f"{os.cpu_count()} cpus")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--per-line", type=int, default=100_000,
                    help="lines for the one-call-per-line loop")
    ap.add_argument("--skip-dicts", action="store_true", help="skip the dict run (memory)")
    ap.add_argument("--file", type=Path, help="ingest this JSONL file instead of generating")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads for ingest_jsonl and for Rust's ingest (default 1)")
    ap.add_argument("--jsonl-only", action="store_true",
                    help="time only the ingest_jsonl ways in")
    args = ap.parse_args()

    if args.file:
        data = args.file.resolve()
        with data.open("rb") as f:
            args.lines = sum(1 for _ in f)
    else:
        out_dir = ROOT / "target" / "bench"
        out_dir.mkdir(parents=True, exist_ok=True)
        data = out_dir / f"python_ingest_{args.lines}.jsonl"
        generate(args.lines, data)
    size = data.stat().st_size
    print(f"data: {data}: {args.lines} lines, {size / 1e6:.1f} MB; threads {args.threads}")

    def rust_timing() -> Dict[str, float]:
        out = json.loads(cargo("run", "--release", "-q", "-p", "convolens-benches",
                               "--example", "ingest_timing", "--", str(data), str(args.runs),
                               str(args.threads)))
        return {"seconds": out["seconds"], "cpu": out["cpu_seconds"] or out["seconds"]}

    # Rust is timed before and after the Python runs; the best of both counts.
    rust = rust_timing()
    # (method, wall seconds, cpu seconds, lines)
    rows: List[Tuple[str, float, float, int]] = []

    def timed(name: str, fn: Callable[[convolens.Engine], object], lines: int = 0) -> None:
        lines = lines or args.lines
        seconds, cpu, result = best_of(args.runs, fn)
        assert isinstance(result, dict) and result["lines"] >= lines - 1, result
        assert not result["errors"], result["errors"][:3]
        rows.append((name, seconds, cpu, lines))

    timed("ingest_jsonl(path)", lambda e: e.ingest_jsonl(data, threads=args.threads))

    def from_file(e: convolens.Engine) -> object:
        with data.open("rb") as f:
            return e.ingest_jsonl(f, threads=args.threads)

    timed("ingest_jsonl(binary file)", from_file)
    if args.jsonl_only:
        finish(args, size, rust, rust_timing, rows, 0)
        return
    as_bytes = data.read_bytes().splitlines()
    timed("ingest_many(bytes lines)", lambda e: e.ingest_many(as_bytes))
    as_str = [line.decode() for line in as_bytes]
    timed("ingest_many(str lines)", lambda e: e.ingest_many(as_str))
    del as_str

    few = as_bytes[: args.per_line]

    def one_by_one(e: convolens.Engine) -> object:
        errors = []
        for line in few:
            try:
                e.ingest(line)
            except convolens.ParseError as err:
                errors.append(err)
        return {"lines": len(few), "errors": errors}

    timed("ingest(line) per line", one_by_one, len(few))
    few_bytes = sum(len(line) + 1 for line in few)
    if not args.skip_dicts:
        as_dicts = [json.loads(line) for line in as_bytes]
        del as_bytes
        timed("ingest_many(dicts)", lambda e: e.ingest_many(as_dicts))

    finish(args, size, rust, rust_timing, rows, few_bytes)

if __name__ == "__main__":
    main()
