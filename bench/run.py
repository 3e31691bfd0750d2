"""Run the benchmark: idtoken-migrate against semgrep, bandit and ruff on the corpus.

    python bench/build_corpus.py                 # once: bench/corpus/ (about 1.15M lines)
    python bench/setup_tools.py                  # once: semgrep, bandit, ruff in bench/.work/venv
    .venv/bin/python bench/run.py                # 3 runs per tool, medians; writes bench/results.*

Each run is one child process started here, under /usr/bin/time where there is one, which reports
that run's own peak RSS (the largest single process of its tree; without GNU time, `os.wait4`'s
rusage, which also counts the moment before exec when the child was a copy of this process). A
sampler also adds up the PSS (shared pages counted once) of the whole process tree every 50 ms,
for tools that fork workers; a run shorter than one sample can show less than its largest process.
All tools run in the corpus folder on `.`, so their paths agree with the manifest's.

Recall counts a planted site as found when the tool reports a finding on its line of its file
(for idtoken-migrate: an actionable finding, `id-token-bearer` or `unverified-decode`); findings
elsewhere in the corpus are counted as "other" (none of the packages verifies ID tokens).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
TOOLS_VENV = WORK / "venv"
CACHE_DIR = WORK / "scan-cache"
ACTIONABLE = {"id-token-bearer", "unverified-decode"}

Findings = set[tuple[str, int]]  # (path relative to the corpus, line)


@dataclass
class Run:
    wall: float
    maxrss_mb: float  # largest single process
    cpu_s: float  # user + system CPU of the whole tree: steadier than wall on a busy machine
    tree_rss_mb: float  # sampled sum of PSS over the process tree
    exit_code: int
    findings: Findings


@dataclass
class Case:
    name: str
    argv: list[str]
    parse: Callable[[bytes], Findings] | None  # None: recall does not apply
    before: Callable[[], None] = lambda: None
    runs: list[Run] = field(default_factory=list)
    note: str = ""
    repeat_max: int = 1_000


# -- measuring one run ----------------------------------------------------------------------------


def _pss_kb(pid: int) -> int | None:
    # Proportional set size: pages shared by forked workers are counted once over the tree.
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _tree_memory_kb(root: int) -> int:
    """The summed PSS (else RSS) of `root` and all its descendants, from one pass over /proc."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        pid = int(name)
        parent[pid] = int(fields[1])  # fields[0] is the state
        rss[pid] = int(fields[21]) * page_kb
    total = 0
    for pid in rss:
        ancestor = pid
        while ancestor > 1 and ancestor != root:
            ancestor = parent.get(ancestor, 0)
        if ancestor == root:
            pss = _pss_kb(pid)
            total += rss[pid] if pss is None else pss
    return total


# A child's ru_maxrss includes the moments before its exec, when it was a copy of this process;
# GNU time is a small C program, so the child it forks starts small.
GNU_TIME = Path("/usr/bin/time")


def measure(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[Run, bytes, bytes]:
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss_file,
    ):
        wrapped = argv
        if GNU_TIME.exists():
            wrapped = [str(GNU_TIME), "--quiet", "-f", "%M %U %S", "-o", rss_file.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(
            wrapped, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_memory_kb(proc.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it was reaped
        out.seek(0)
        err.seek(0)
        maxrss_kb = usage.ru_maxrss
        cpu = usage.ru_utime + usage.ru_stime
        if wrapped is not argv:
            reported = rss_file.read().split()
            with contextlib.suppress(ValueError, IndexError):
                maxrss_kb, cpu = int(reported[-3]), float(reported[-2]) + float(reported[-1])
        run = Run(
            wall=wall,
            maxrss_mb=maxrss_kb / 1024,
            cpu_s=cpu,
            tree_rss_mb=peak / 1024,
            exit_code=proc.returncode,
            findings=set(),
        )
        return run, out.read(), err.read()


# -- reading each tool's findings -----------------------------------------------------------------


def _norm(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def parse_idtoken_migrate(stdout: bytes) -> Findings:
    data = json.loads(stdout)
    return {(_norm(f["path"]), f["line"]) for f in data["findings"] if f["kind"] in ACTIONABLE}


def parse_semgrep(stdout: bytes) -> Findings:
    data = json.loads(stdout)
    return {(_norm(r["path"]), r["start"]["line"]) for r in data["results"]}


def parse_bandit(stdout: bytes) -> Findings:
    data = json.loads(stdout)
    found: Findings = set()
    for r in data["results"]:
        for line in r.get("line_range") or [r["line_number"]]:
            found.add((_norm(r["filename"]), line))
    return found


# -- the cases ------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = TOOLS_VENV / "bin" / name
    if not path.exists():
        raise SystemExit(f"{path} is missing: run python bench/setup_tools.py")
    return str(path)


def idtoken_migrate_argv() -> list[str]:
    script = Path(sys.executable).parent / "idtoken-migrate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "idtoken_migrate"]


def prepare_idtoken_migrate(corpus: Path) -> None:
    """Run idtoken-migrate as an installed copy runs. pip byte-compiles a wheel's modules when it
    installs them, while a checkout run with PYTHONDONTWRITEBYTECODE=1 would compile them at every
    start: compile them once here. And point the parsed-rule-pack cache (yamlcache) at a
    folder of the benchmark's own, filled by one run, as on any machine after its first run."""
    import idtoken_migrate

    package = Path(idtoken_migrate.__file__).resolve().parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    os.environ["IDTOKEN_MIGRATE_RULES_CACHE"] = str(WORK / "rules-cache")
    subprocess.run(
        [*idtoken_migrate_argv(), "scan", "--no-cache", "planted"],
        cwd=corpus,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _empty_cache() -> None:
    shutil.rmtree(CACHE_DIR, ignore_errors=True)


def cases(jobs: int, bandit_repeat: int) -> list[Case]:
    ours = [*idtoken_migrate_argv(), "scan", ".", "--format", "json", "--jobs", str(jobs)]
    cached = [*ours, "--cache-dir", str(CACHE_DIR)]
    return [
        Case("idtoken-migrate (cold, --no-cache)", [*ours, "--no-cache"], parse_idtoken_migrate),
        Case(
            "idtoken-migrate (cold, writing the cache)",
            cached,
            parse_idtoken_migrate,
            before=_empty_cache,
        ),
        Case(
            "idtoken-migrate (warm cache)",
            cached,
            parse_idtoken_migrate,
            note="nothing changed since the previous run",
        ),
        Case(
            "semgrep",
            [
                _tool("semgrep"),
                "scan",
                "--config",
                str(HERE / "semgrep_rules.yml"),
                "--json",
                "--metrics=off",
                "--disable-version-check",
                "--no-git-ignore",
                "--quiet",
                ".",
            ],
            parse_semgrep,
            note="bench/semgrep_rules.yml",
        ),
        Case(
            "bandit",
            [_tool("bandit"), "-r", ".", "-f", "json", "-q"],
            parse_bandit,
            note="all default plugins",
            repeat_max=bandit_repeat,
        ),
        Case(
            "ruff check --select ALL",
            [
                _tool("ruff"),
                "check",
                "--select",
                "ALL",
                "--no-cache",
                "--isolated",
                "--no-respect-gitignore",
                "--exit-zero",
                "--statistics",
                ".",
            ],
            None,
            note="speed reference; finds other things",
        ),
    ]


def run_cases(selected: list[Case], corpus: Path, repeat: int) -> None:
    # Interleave the tools, so that a busy moment on the machine does not land on one tool only.
    for i in range(repeat):
        for case in selected:
            if len(case.runs) >= case.repeat_max:
                continue
            case.before()
            run, stdout, stderr = measure(case.argv, corpus)
            if case.parse is not None:
                try:
                    run.findings = case.parse(stdout)
                except (ValueError, KeyError) as exc:
                    tail = stderr.decode(errors="replace")[-2000:]
                    message = f"{case.name}: unreadable output ({exc}); stderr:\n{tail}"
                    raise SystemExit(message) from None
            case.runs.append(run)
            print(
                f"  [{i + 1}/{repeat}] {case.name}: {run.wall:.2f} s, "
                f"{run.cpu_s:.2f} s CPU, {run.maxrss_mb:.0f} MB max process, "
                f"{run.tree_rss_mb:.0f} MB tree, "
                f"exit {run.exit_code}",
                flush=True,
            )


# -- the single-file (pre-commit) case ------------------------------------------------------------


# What a one-file run cannot go below while the scanner is libcst: start Python, import libcst,
# parse the planted file and resolve its scopes and qualified names.
LIBCST_FLOOR = """
import sys
import libcst
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, ScopeProvider
with open(sys.argv[1], "rb") as f:
    module = libcst.parse_module(f.read())
MetadataWrapper(module, unsafe_skip_copy=True).resolve_many([ScopeProvider, QualifiedNameProvider])
"""


def single_file(corpus: Path, repeat: int) -> list[dict[str, object]]:
    ours = idtoken_migrate_argv()
    planted = "planted/services/orders/auth.py"
    big = max(
        (p for p in (corpus / "Django-5.1.4" / "django").rglob("*.py")),
        key=lambda p: p.stat().st_size,
    ).relative_to(corpus)
    first_start = tempfile.mkdtemp(prefix="rules-cache-")
    rows = []
    for label, argv, env in (
        ("python -c pass (interpreter start)", [sys.executable, "-c", "pass"], None),
        (
            f"floor: python importing libcst, parsing {planted}, resolving its names",
            [sys.executable, "-c", LIBCST_FLOOR, planted],
            None,
        ),
        ("idtoken-migrate --version", [*ours, "--version"], None),
        (
            f"idtoken-migrate scan {planted} (a positive)",
            [*ours, "scan", planted, "--format", "json", "--no-cache"],
            None,
        ),
        (
            f"idtoken-migrate check {planted} (the pre-commit hook's command)",
            [*ours, "check", planted, "--no-cache"],
            None,
        ),
        (
            f"idtoken-migrate scan {big.as_posix()} (largest Django file, no match)",
            [*ours, "scan", big.as_posix(), "--format", "json", "--no-cache"],
            None,
        ),
        (
            f"idtoken-migrate scan {big.as_posix()}, first start-up on a machine "
            "(no parsed rule packs yet)",
            [*ours, "scan", big.as_posix(), "--format", "json", "--no-cache"],
            "first",
        ),
    ):
        runs = []
        for _ in range(repeat):
            child_env = None
            if env == "first":
                shutil.rmtree(first_start, ignore_errors=True)
                child_env = {**os.environ, "IDTOKEN_MIGRATE_RULES_CACHE": first_start}
            runs.append(measure(argv, corpus, child_env)[0])
        rows.append(
            {
                "case": label,
                "wall_s": statistics.median(r.wall for r in runs),
                "min_wall_s": min(r.wall for r in runs),
                "runs": len(runs),
                "maxrss_mb": max(r.maxrss_mb for r in runs),
            }
        )
        print(f"  {label}: {rows[-1]['wall_s']:.3f} s", flush=True)
    shutil.rmtree(first_start, ignore_errors=True)
    return rows


# -- report ---------------------------------------------------------------------------------------


def summarize(selected: list[Case], manifest: dict) -> list[dict[str, object]]:
    expected = {(p["path"], p["line"]) for p in manifest["planted"]}
    lines = manifest["lines"]
    reference = next((c for c in selected if c.name.startswith("idtoken-migrate (cold")), None)
    ref_wall = statistics.median(r.wall for r in reference.runs) if reference else None
    rows = []
    for case in selected:
        wall = statistics.median(r.wall for r in case.runs)
        row: dict[str, object] = {
            "tool": case.name,
            "wall_s": wall,
            "wall_runs_s": [round(r.wall, 3) for r in case.runs],
            "cpu_s": statistics.median(r.cpu_s for r in case.runs),
            "lines_per_s": lines / wall,
            "maxrss_mb": max(r.maxrss_mb for r in case.runs),
            "tree_rss_mb": max(r.tree_rss_mb for r in case.runs),
            "vs_idtoken_migrate": wall / ref_wall if ref_wall else None,
            "exit_codes": sorted({r.exit_code for r in case.runs}),
            "note": case.note,
        }
        if case.parse is not None:
            found = case.runs[-1].findings
            planted_files = {p for p, _ in expected}
            row["recall"] = len(expected & found) / len(expected)
            row["found"] = len(expected & found)
            row["other_findings"] = len({f for f in found if f[0] not in planted_files})
        rows.append(row)
    return rows


def markdown(rows: list[dict], single: list[dict], manifest: dict, env: dict) -> str:
    planted = len(manifest["planted"])
    out = [
        "# Benchmark results",
        "",
        f"Corpus: {manifest['files']} files, {manifest['lines']:,} lines of Python from "
        + ", ".join(f"{p['name']} {p['version']}" for p in manifest["packages"])
        + f" (sdists, tests included), plus {planted} planted positives.",
        f"Machine: {env['cpu']}, {env['cores']} cores, Python {env['python']}; "
        f"load average {env['load_before']} before, {env['load_after']} after. "
        f"Median of {env['repeat']} runs; {env['date']}.",
        "",
        "| tool | median wall (runs) | CPU (user+sys) | lines/s | peak memory "
        "(largest process RSS / tree PSS) | time vs idtoken-migrate cold | recall on planted "
        "| other findings |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        recall = f"{r['found']}/{planted}" if "recall" in r else "n/a"
        other = str(r["other_findings"]) if "other_findings" in r else "n/a"
        ratio = f"{r['vs_idtoken_migrate']:.2f}x" if r["vs_idtoken_migrate"] else ""
        out.append(
            f"| {r['tool']} | {r['wall_s']:.2f} s ({len(r['wall_runs_s'])}) | {r['cpu_s']:.2f} s "
            f"| {r['lines_per_s']:,.0f} "
            f"| {r['maxrss_mb']:.0f} / {r['tree_rss_mb']:.0f} MB | {ratio} | {recall} | {other} |"
        )
    if single:
        out += [
            "",
            "Single file (the pre-commit case), wall time including interpreter start, "
            f"median of {single[0]['runs']} runs:",
            "",
            "| command | median wall | fastest | peak RSS |",
            "| --- | ---: | ---: | ---: |",
        ]
        out += [
            f"| `{s['case']}` | {s['wall_s']:.3f} s | {s['min_wall_s']:.3f} s "
            f"| {s['maxrss_mb']:.0f} MB |"
            for s in single
        ]
    out += [
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in env["versions"].items()) + ".",
        "",
        "Reproduce: `python bench/build_corpus.py && python bench/setup_tools.py && "
        ".venv/bin/python bench/run.py`",
        "",
    ]
    return "\n".join(out)


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0].split()[-1] if text else "?"


def _commit() -> str:
    """The last commit that changed the engine, "+changes" when its files differ from HEAD."""
    try:
        last = subprocess.run(
            ["git", "log", "-1", "--format=%h", "--", "idtoken_migrate", "rules"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "idtoken_migrate", "rules"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "?"
    return (last or "?") + ("+changes" if changed else "")


def environment(repeat: int) -> dict[str, object]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "repeat": repeat,
        "date": time.strftime("%Y-%m-%d"),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "versions": {
            "idtoken-migrate": _version([*idtoken_migrate_argv(), "--version"])
            + f" (commit {_commit()})",
            # Without --disable-version-check, semgrep asks its server first: 2 minutes offline.
            "semgrep": _version([_tool("semgrep"), "--version", "--disable-version-check"]),
            "bandit": _version([_tool("bandit"), "--version"]),
            "ruff": _version([_tool("ruff"), "--version"]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the idtoken-migrate benchmark.")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--bandit-repeat", type=int, default=1, help="bandit takes minutes a run: fewer runs"
    )
    parser.add_argument("--jobs", type=int, default=0, help="idtoken-migrate --jobs (0: cores)")
    parser.add_argument("--only", action="append", default=[], help="run cases whose name has this")
    parser.add_argument("--skip-single-file", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.md/.json")
    args = parser.parse_args()

    manifest_path = args.corpus / "manifest.json"
    if not manifest_path.exists():
        raise SystemExit(f"{manifest_path} is missing: run python bench/build_corpus.py")
    manifest = json.loads(manifest_path.read_text())
    env = environment(args.repeat)
    selected = [
        c
        for c in cases(args.jobs, args.bandit_repeat)
        if not args.only or any(o in c.name for o in args.only)
    ]
    print(f"corpus: {manifest['files']} files, {manifest['lines']:,} lines", flush=True)
    prepare_idtoken_migrate(args.corpus)
    run_cases(selected, args.corpus, args.repeat)
    single = [] if args.skip_single_file else single_file(args.corpus, max(args.repeat, 11))
    env["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    versions = env["versions"]
    assert isinstance(versions, dict)
    if _commit() not in versions["idtoken-migrate"]:
        versions["idtoken-migrate"] += (
            f", {_commit()} at the end: the engine changed during the run"
        )
    rows = summarize(selected, manifest)
    report = markdown(rows, single, manifest, env)
    print()
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(report)
    payload = {"environment": env, "corpus": manifest, "tools": rows, "single_file": single}
    payload["corpus"] = {k: v for k, v in manifest.items() if k != "planted"}
    (args.out / "results.json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
