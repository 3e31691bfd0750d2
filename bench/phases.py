"""Where a scan's time goes, phase by phase, in one process (no workers, no cache).

    .venv/bin/python bench/phases.py [PATH]          # default: bench/corpus
    .venv/bin/python bench/phases.py --cprofile out.prof   # and a cProfile of scan_paths

Phases: imports, rule loading, discovery, reading, content hashing (what a warm run pays per
file), prefilter, then parse + analysis per file that passed the prefilter (the slowest listed).
Each phase is timed alone, so the numbers add up to a single-process scan without the cache;
`--jobs` splits only the parse + analysis phase across workers.
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _phase(name: str, start: float) -> float:
    now = time.perf_counter()
    print(f"{name:<36} {now - start:7.3f} s", flush=True)
    return now


def main() -> None:
    parser = argparse.ArgumentParser(description="Time each phase of a scan.")
    parser.add_argument("path", type=Path, nargs="?", default=HERE / "corpus")
    parser.add_argument("--slowest", type=int, default=10, help="files to list")
    parser.add_argument("--cprofile", type=Path, help="also write a cProfile of scan_paths here")
    args = parser.parse_args()

    t = time.perf_counter()
    import libcst  # noqa: F401 - timed apart: every parsed file needs it

    t = _phase("import libcst", t)
    from idtoken_migrate.config.rulepack import load_rules
    from idtoken_migrate.scan.cache import file_key
    from idtoken_migrate.scan.discover import discover, scan_root
    from idtoken_migrate.scan.engine import ScanOptions, scan_bytes, scan_paths
    from idtoken_migrate.scan.signals import load_signals

    t = _phase("import idtoken_migrate", t)
    rules = load_rules(())
    signals = load_signals()
    t = _phase("load rules + signals", t)
    root = scan_root([args.path])
    files = list(discover([args.path], root, ()))
    t = _phase(f"discover ({len(files)} files)", t)
    contents = [(item.relpath, item.path.read_bytes()) for item in files]
    size = sum(len(data) for _, data in contents)
    lines = sum(data.count(b"\n") for _, data in contents)
    t = _phase(f"read ({size / 1e6:.1f} MB, {lines:,} lines)", t)
    for relpath, data in contents:
        file_key(relpath, data)
    t = _phase("hash (cache keys)", t)
    candidates = [(relpath, data) for relpath, data in contents if rules.packs_for(data)]
    t = _phase(f"prefilter ({len(candidates)} pass)", t)
    timings = []
    for relpath, data in candidates:
        start = time.perf_counter()
        outcome = scan_bytes(data, relpath, rules, signals, prefilter=False)
        timings.append((time.perf_counter() - start, relpath, data.count(b"\n"), outcome))
    _phase("parse + analysis", t)
    for seconds, relpath, n, outcome in sorted(timings, reverse=True)[: args.slowest]:
        print(f"  {seconds:7.3f} s  {n:6d} lines  {len(outcome.findings)} findings  {relpath}")

    if args.cprofile:
        options = ScanOptions(jobs=1)
        cProfile.runctx(
            "scan_paths([path], options)",
            {"scan_paths": scan_paths},
            {"path": args.path, "options": options},
            str(args.cprofile),
        )
        print(f"cProfile of scan_paths: {args.cprofile} (python -m pstats {args.cprofile})")


if __name__ == "__main__":
    sys.exit(main())
