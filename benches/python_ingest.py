"""Python ingestion throughput against Rust's, on the example traffic scaled up.

    bash bindings-python/test.sh          # once: builds the package into target/py-venv
    target/py-venv/bin/python benches/python_ingest.py [--lines 1000000] [--runs 2]

Generates JSONL with the example-data generator (`gen_data`, seed 42, 61 days, users
scaled so the file has about --lines lines; cut to exactly that many), times Rust
ingestion alone (`benches/examples/ingest_timing.rs`: `Engine::ingest_reader` on the
file), then the Python ways in, each on a fresh engine, best of --runs:

* `ingest_jsonl(path)`, `ingest_jsonl(binary file object)`;
* `ingest_many` over the lines as `bytes`, as `str`, and as dicts (already parsed with
  `json.loads`: the conversion of the dicts back to JSON is what is timed);
* a loop calling `ingest(line)` per line, for reference (one crossing per message).

Prints a table with lines per second and the ratio to Rust. Nothing is asserted: the
figures go into the notes.
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


def best_of(runs: int, fn: Callable[[convolens.Engine], object]) -> Tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        engine = convolens.Engine()
        gc.collect()
        start = time.perf_counter()
        result = fn(engine)
        best = min(best, time.perf_counter() - start)
        del engine
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--skip-dicts", action="store_true", help="skip the dict run (memory)")
    args = ap.parse_args()

    out_dir = ROOT / "target" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    data = out_dir / f"python_ingest_{args.lines}.jsonl"
    generate(args.lines, data)
    size = data.stat().st_size
    print(f"data: {data.relative_to(ROOT)}: {args.lines} lines, {size / 1e6:.1f} MB")

    rust = json.loads(cargo("run", "--release", "-q", "-p", "convolens-benches", "--example",
                            "ingest_timing", "--", str(data), str(args.runs)))
    rows: List[Tuple[str, float]] = [("rust Engine::ingest_reader", rust["seconds"])]

    def timed(name: str, fn: Callable[[convolens.Engine], object]) -> None:
        seconds, result = best_of(args.runs, fn)
        assert isinstance(result, dict) and result["lines"] >= args.lines - 1, result
        assert not result["errors"], result["errors"][:3]
        rows.append((name, seconds))

    timed("ingest_jsonl(path)", lambda e: e.ingest_jsonl(data))

    def from_file(e: convolens.Engine) -> object:
        with data.open("rb") as f:
            return e.ingest_jsonl(f)

    timed("ingest_jsonl(binary file)", from_file)
    as_bytes = data.read_bytes().splitlines()
    timed("ingest_many(bytes lines)", lambda e: e.ingest_many(as_bytes))
    as_str = [line.decode() for line in as_bytes]
    timed("ingest_many(str lines)", lambda e: e.ingest_many(as_str))
    del as_str

    def one_by_one(e: convolens.Engine) -> object:
        errors = []
        for line in as_bytes:
            try:
                e.ingest(line)
            except convolens.ParseError as err:
                errors.append(err)
        return {"lines": len(as_bytes), "errors": errors}

    timed("ingest(line) per line", one_by_one)
    if not args.skip_dicts:
        as_dicts = [json.loads(line) for line in as_bytes]
        del as_bytes
        timed("ingest_many(dicts)", lambda e: e.ingest_many(as_dicts))

    rust_rate = args.lines / rust["seconds"]
    print(f"{'method':32} {'seconds':>8} {'lines/s':>12} {'MB/s':>7} {'vs rust':>8}")
    for name, seconds in rows:
        rate = args.lines / seconds
        print(f"{name:32} {seconds:8.3f} {rate:12,.0f} {size / seconds / 1e6:7.1f} "
              f"{rate / rust_rate:8.0%}")
    print(f"python {sys.version.split()[0]}, convolens {convolens.__version__}, "
          f"{os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
