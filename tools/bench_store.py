"""Write and read rates of a result store under concurrent writers (closing-note figures).

``python tools/bench_store.py --store URL|DIR [--writers 2] [--results 500]``:
each writer process puts ``results`` distinct results of the size of a
distinguish result (about 4 kB of JSON), all at once; then one process reads
every one back by its spec. Prints writes/s (all writers together) and
reads/s; ``--json`` prints them as a record.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time


def result_of(n: int) -> dict:
    """A stand-in result about as large as a distinguish run's."""
    return {"verdict": "distinguished", "accuracy": 1.0, "seconds": 0.1, "device": "cpu",
            "curves": {"loss": [1.0 / (k + n + 1) for k in range(100)],
                       "gap": [0.5 ** k for k in range(100)]},
            "accuracies": [1.0] * 10, "n": n}


def spec_of(writer: int, n: int) -> dict:
    return {"kind": "bench", "writer": writer, "n": n}


def write(store_url: str, writer: int, count: int, start) -> None:
    from eqgnn.store import open_store

    store = open_store(store_url)
    start.wait()
    for n in range(count):
        store.put(spec_of(writer, n), result_of(n))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--results", type=int, default=500, help="per writer")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from eqgnn.store import open_store

    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=write, args=(args.store, w, args.results, start))
               for w in range(args.writers)]
    for worker in workers:
        worker.start()
    time.sleep(3.0)  # every writer has imported and connected
    begun = time.perf_counter()
    start.set()
    for worker in workers:
        worker.join()
    written = time.perf_counter() - begun
    store = open_store(args.store)
    begun = time.perf_counter()
    found = sum(store.get(spec_of(w, n)) is not None
                for w in range(args.writers) for n in range(args.results))
    read = time.perf_counter() - begun
    total = args.writers * args.results
    record = {"store": str(store.root), "writers": args.writers, "results": total,
              "writes_per_second": total / written, "reads_per_second": total / read,
              "found": found}
    print(json.dumps(record) if args.json else
          f"{record['store']}: {args.writers} writers, {total} results: "
          f"{record['writes_per_second']:.0f} writes/s, {record['reads_per_second']:.0f} "
          f"reads/s ({found}/{total} read back)")
    return 0 if found == total else 1


if __name__ == "__main__":
    sys.exit(main())
