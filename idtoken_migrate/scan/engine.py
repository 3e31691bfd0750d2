"""The scan pipeline: discover -> read -> prefilter -> parse once -> analyze -> classify.

`scan_paths` drives the whole tree, `scan_bytes` scans one file's bytes.
Nothing here prints or exits: problems with one file travel as `FileError`s in the result, problems
with the request itself (a path that does not exist, a broken rule pack) are `UsageError`s.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from idtoken_migrate import __version__
from idtoken_migrate.config.rulepack import RulePack, RuleSet, load_rules
from idtoken_migrate.model import (
    ID_TOKEN_BEARER,
    FileError,
    FileOutcome,
    Finding,
    ScanResult,
    ScanStats,
    generated_module,
)
from idtoken_migrate.scan.discover import Discovered, discover, scan_root
from idtoken_migrate.scan.signals import Signals, load_signals
from idtoken_migrate.scan.suppress import parse_suppressions

if TYPE_CHECKING:
    from idtoken_migrate.scan.project import Wiring

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
# Below this many files to parse, worker start-up costs more than it saves.
_MIN_FILES_FOR_WORKERS = 24

Progress = Callable[[int, int], None]  # (files done, files total)


@dataclass(frozen=True)
class ScanOptions:
    excludes: tuple[str, ...] = ()
    jobs: int = 0  # 0: one per core
    rules_dirs: tuple[Path, ...] = ()
    prefilter: bool = True
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    cache_dir: Path | None = None  # None: no cache
    # What finding paths are relative to; None: the folder scanned, or the files' common parent.
    # Pin it (e.g. to the repository) so `check .` and `check some/file.py` fingerprint alike.
    root: Path | None = None


@dataclass
class _Engine:
    """What each worker loads once: the rules and the vocabulary."""

    rules: RuleSet
    signals: Signals = field(default_factory=load_signals)


def decode_source(data: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, PEP 263 coding line, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise ValueError(str(exc)) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        name = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        hint = " (declare the encoding with a PEP 263 coding line)" if name == "UTF-8" else ""
        raise ValueError(f"line {line}: not valid {name}{hint}") from None
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r} in the coding line") from None


def read_source(path: Path, limit: int) -> bytes | str:
    """The file's bytes, or why they were not read: never more than `limit` bytes are read, and
    never from anything but a regular file (a FIFO swapped in after discovery would block)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        if info.st_size > limit:
            return f"file too large ({info.st_size} bytes, limit {limit})"
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the file may have grown since fstat
            chunk = os.read(fd, min(limit + 1 - size, 1 << 20) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    finally:
        os.close(fd)
    if size > limit:
        return f"file too large (more than {limit} bytes, limit {limit})"
    return b"".join(chunks)


def line_count(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


def scan_bytes(
    data: bytes,
    relpath: str,
    rules: RuleSet,
    signals: Signals | None = None,
    *,
    prefilter: bool = True,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    screened: bool = False,
    project: Mapping[str, Wiring] | None = None,
) -> FileOutcome:
    """Scan one file's bytes. Never raises for a bad file: the problem comes back as `error`.
    A verifier module `apply` generated is not analysed, only recorded as `generated`.

    `screened`: the caller has already kept files that could crash the parser away from it
    (`isolate.screen`), as `scan_paths` does; otherwise such a file is parsed in a worker process
    of its own here. `project`: what callers in other modules do with this file's exported names
    (project.py)."""
    generated = generated_module(relpath, data)
    if generated is not None:
        return FileOutcome(relpath, lines=line_count(data), generated=generated)
    if not screened:
        verdict = _screen_one(data, relpath, prefilter, max_file_size, rules)
        if verdict is not None:
            from idtoken_migrate.scan.isolate import IsolatedParser, WorkerSpec

            outcome, why = verdict
            if outcome is not None:
                return outcome
            spec = WorkerSpec(rules, prefilter, max_file_size)
            with IsolatedParser(spec) as worker:
                return worker.scan(relpath, data, why, line_count(data))
    return _scan_source(data, relpath, rules, signals, prefilter, max_file_size, project)


def _screen_one(
    data: bytes, relpath: str, prefilter: bool, max_file_size: int, rules: RuleSet
) -> tuple[FileOutcome | None, str] | None:
    """None when the file may be parsed here; else (its outcome, "") when it must not be parsed
    at all, or (None, why) when it must be parsed in an isolated worker."""
    if len(data) > max_file_size or b"\x00" in data or generated_module(relpath, data):
        return None  # refused before any parsing, or never parsed
    if prefilter and not rules.packs_for(data):
        return None  # never parsed
    from idtoken_migrate.scan.isolate import screen, unsafe_outcome

    shape = screen(data)
    refusal = shape.refusal
    if refusal is not None:
        return unsafe_outcome(data, relpath, refusal, line_count(data)), ""
    if shape.risky:
        return None, shape.describe()
    return None


def _scan_source(
    data: bytes,
    relpath: str,
    rules: RuleSet,
    signals: Signals | None,
    prefilter: bool,
    max_file_size: int,
    project: Mapping[str, Wiring] | None = None,
) -> FileOutcome:
    if len(data) > max_file_size:
        return FileOutcome(
            relpath,
            error=FileError(relpath, f"file too large ({len(data)} bytes, limit {max_file_size})"),
        )
    if b"\x00" in data:
        return FileOutcome(relpath, error=FileError(relpath, "binary file (contains NUL bytes)"))
    lines = line_count(data)
    packs = rules.packs_for(data) if prefilter else rules.packs
    if not packs:
        return FileOutcome(relpath, lines=lines)
    try:
        text = decode_source(data)
    except ValueError as exc:
        return parse_failure(data, relpath, str(exc), lines=lines, candidate=prefilter)
    import libcst as cst

    from idtoken_migrate.scan.analyze import analyze, collect, has_work
    from idtoken_migrate.scan.classify import to_findings
    from idtoken_migrate.scan.evidence import SiteBuilder

    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        legacy = _legacy_findings(text, relpath, packs, signals)
        if legacy:  # Python 2: found lexically, at low confidence (legacy.py)
            return FileOutcome(relpath, legacy, parsed=True, lines=lines)
        message = " ".join(exc.message.split())
        return parse_failure(
            data,
            relpath,
            f"syntax error: {message}",
            line=exc.raw_line,
            lines=lines,
            candidate=prefilter,
            parsed=True,
        )
    except (RecursionError, MemoryError):
        return parse_failure(
            data, relpath, "file too deeply nested to parse", lines=lines, candidate=prefilter
        )
    collector = collect(module, packs)
    if not has_work(collector):
        return FileOutcome(relpath, parsed=True, lines=lines)
    signals = signals or load_signals()
    analysis = analyze(module, collector, signals, text)
    suppressions = parse_suppressions(text)
    findings: list[Finding] = []
    suppressed = 0
    sites = sorted(
        SiteBuilder(analysis, signals, project).sites(),
        key=lambda s: (s.line, s.column, s.rule.id),
    )
    for finding in to_findings(sites, relpath):
        if suppressions.covers(finding.rule, finding.line, finding.end_line):
            suppressed += 1
            continue
        findings.append(finding)
    return FileOutcome(relpath, tuple(findings), suppressed=suppressed, parsed=True, lines=lines)


def parse_failure(
    data: bytes,
    relpath: str,
    message: str,
    *,
    line: int | None = None,
    lines: int = 0,
    candidate: bool = True,
    parsed: bool = False,
) -> FileOutcome:
    """The outcome of a file that reached the parser and could not be parsed (undecodable, a
    syntax error, a shape the parser cannot be trusted with): the one place every such file goes
    through. `candidate`: its bytes passed the prefilter, so they name a verification API and the
    gate counts the error (`gate.parse_errors`). `data` is there for whatever wants to look at the
    bytes of a file the parser could not read (a lexical fallback)."""
    del data  # nothing reads it yet
    error = FileError(relpath, message, line, candidate=candidate)
    return FileOutcome(relpath, error=error, parsed=parsed, lines=lines)


def _legacy_findings(
    text: str, relpath: str, packs: tuple[RulePack, ...], signals: Signals | None
) -> tuple[Finding, ...]:
    """The sites of a Python 2 file libcst cannot parse, from the lexical fallback."""
    from idtoken_migrate.scan.legacy import looks_like_python2, scan_legacy

    if not looks_like_python2(text):
        return ()
    findings = scan_legacy(text, relpath, packs, signals or load_signals())
    suppressions = parse_suppressions(text)
    return tuple(f for f in findings if not suppressions.covers(f.rule, f.line, f.end_line))


# -- worker processes -------------------------------------------------------------------------
_WORKER: tuple[_Engine, ScanOptions] | None = None


def _init_worker(options: ScanOptions) -> None:
    global _WORKER
    _WORKER = (_Engine(load_rules(options.rules_dirs)), options)


def _scan_in_worker(item: tuple[str, str, bytes]) -> FileOutcome:
    assert _WORKER is not None
    engine, options = _WORKER
    relpath, _abs, data = item
    return scan_bytes(
        data,
        relpath,
        engine.rules,
        engine.signals,
        prefilter=options.prefilter,  # so only the packs that may match run
        max_file_size=options.max_file_size,
        screened=True,
    )


def _jobs(requested: int, work: int) -> int:
    if requested == 1 or work < _MIN_FILES_FOR_WORKERS:
        return 1
    cores = os.cpu_count() or 1
    return max(1, min(requested or cores, cores * 2, work // 8 or 1))


def scan_paths(
    paths: Sequence[Path],
    options: ScanOptions | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan files and folders; the result's paths are relative to their common root."""
    options = options or ScanOptions()
    paths = [Path(p) for p in paths] or [Path(".")]
    root = options.root.resolve() if options.root else scan_root(paths)
    excludes = options.excludes
    files = list(discover(paths, root, excludes, respect_gitignore=options.respect_gitignore))
    engine = _Engine(load_rules(options.rules_dirs))
    cache = _open_cache(options, root, engine)
    outcomes: list[FileOutcome] = []
    to_parse: list[tuple[Discovered, bytes, str | None]] = []
    risky: list[tuple[Discovered, bytes, str | None, str]] = []  # and what makes it risky
    cache_hits = prefiltered = 0
    for item in files:
        data = read_source(item.path, options.max_file_size)
        if isinstance(data, str):
            outcomes.append(FileOutcome(item.relpath, error=FileError(item.relpath, data)))
            continue
        key = None
        if cache is not None:
            from idtoken_migrate.scan.cache import file_key

            key = file_key(item.relpath, data)
            hit = cache.get(key)
            if hit is not None:
                outcomes.append(replace(hit, parsed=False))
                cache_hits += 1
                continue
        too_big = len(data) > options.max_file_size
        if options.prefilter and not too_big and not engine.rules.packs_for(data):
            generated = generated_module(item.relpath, data)
            outcome = FileOutcome(item.relpath, lines=line_count(data), generated=generated)
            outcomes.append(outcome)
            prefiltered += 1
            if cache is not None and key is not None:
                cache.put(key, outcome)
            continue
        verdict = _screen_one(
            data, item.relpath, options.prefilter, options.max_file_size, engine.rules
        )
        if verdict is None:
            to_parse.append((item, data, key))
        elif verdict[0] is not None:  # refused: never parsed
            outcomes.append(verdict[0])
            if cache is not None and key is not None:
                cache.put(key, verdict[0])
        else:
            risky.append((item, data, key, verdict[1]))
    done = len(outcomes)
    if progress:
        progress(done, len(files))
    parsed_outcomes = _parse_all(to_parse, engine, options, progress, done, len(files))
    done += len(parsed_outcomes)
    isolated = [(item, data, why) for item, data, _, why in risky]
    risky_outcomes = _parse_isolated(isolated, engine, options, progress, done, len(files))
    parsed_outcomes += risky_outcomes
    # Files that passed the literal prefilter but were still not parsed: generated verifiers.
    prefiltered += sum(1 for o in parsed_outcomes if not o.parsed and o.error is None)
    if cache is not None:
        from idtoken_migrate.scan.isolate import UNSAFE_PREFIX

        keys = [key for _, _, key in to_parse] + [key for _, _, key, _ in risky]
        for key, outcome in zip(keys, parsed_outcomes, strict=True):
            # A worker that died or ran out of time may do better on a quieter machine.
            unsafe = outcome.error is not None and outcome.error.message.startswith(UNSAFE_PREFIX)
            if key is not None and not unsafe:
                cache.put(key, outcome)
        cache.close()
    outcomes.extend(parsed_outcomes)
    outcomes = _project_view(outcomes, files, engine, options)
    return _result(root, files, outcomes, engine, cache_hits, prefiltered)


def _project_view(
    outcomes: list[FileOutcome], files: list[Discovered], engine: _Engine, options: ScanOptions
) -> list[FileOutcome]:
    """Sites that callers in other modules decide, scanned again knowing them (project.py)."""
    if not any(o.findings for o in outcomes):
        return outcomes  # nothing to revisit: a one-file scan of a plain file imports nothing more
    from idtoken_migrate.scan.project import revisit

    def rescan(relpath: str, path: Path, view: Mapping[str, Wiring]) -> FileOutcome | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return scan_bytes(
            data,
            relpath,
            engine.rules,
            engine.signals,
            prefilter=options.prefilter,
            max_file_size=options.max_file_size,
            project=view,
        )

    readable = [(item.relpath, item.path) for item in files]
    return revisit(outcomes, readable, engine.signals, rescan)


def _parse_all(
    to_parse: list[tuple[Discovered, bytes, str | None]],
    engine: _Engine,
    options: ScanOptions,
    progress: Progress | None,
    done: int,
    total: int,
) -> list[FileOutcome]:
    jobs = _jobs(options.jobs, len(to_parse))
    results: list[FileOutcome] = []
    if jobs == 1:
        for item, data, _ in to_parse:
            results.append(
                scan_bytes(
                    data,
                    item.relpath,
                    engine.rules,
                    engine.signals,
                    prefilter=options.prefilter,
                    max_file_size=options.max_file_size,
                    screened=True,
                )
            )
            done += 1
            if progress:
                progress(done, total)
        return results
    from concurrent.futures import ProcessPoolExecutor  # 30 ms of imports a one-file scan skips
    from concurrent.futures.process import BrokenProcessPool

    work = [(item.relpath, str(item.path), data) for item, data, _ in to_parse]
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker, initargs=(options,)
        ) as pool:
            chunksize = max(1, len(work) // (jobs * 8))
            for outcome in pool.map(_scan_in_worker, work, chunksize=chunksize):
                results.append(outcome)
                done += 1
                if progress:
                    progress(done, total)
    except BrokenProcessPool:
        # A file the screen let through killed a worker, and the pool with it: the files not
        # answered yet go one by one to a worker that is replaced whenever it dies.
        rest = [(item, data, "this file") for item, data, _ in to_parse[len(results) :]]
        results += _parse_isolated(rest, engine, options, progress, done, total)
    return results


def _parse_isolated(
    items: list[tuple[Discovered, bytes, str]],
    engine: _Engine,
    options: ScanOptions,
    progress: Progress | None,
    done: int,
    total: int,
) -> list[FileOutcome]:
    """Scan files that may crash or exhaust the parser, one at a time, in a worker process."""
    if not items:
        return []
    from idtoken_migrate.scan.isolate import IsolatedParser, WorkerSpec

    results: list[FileOutcome] = []
    spec = WorkerSpec(engine.rules, options.prefilter, options.max_file_size)
    with IsolatedParser(spec) as worker:
        for item, data, why in items:
            results.append(worker.scan(item.relpath, data, why, line_count(data)))
            done += 1
            if progress:
                progress(done, total)
    return results


def _open_cache(options: ScanOptions, root: Path, engine: _Engine):  # noqa: ANN202
    if options.cache_dir is None:
        return None
    from idtoken_migrate.scan.cache import ScanCache, cache_salt, tracked_by_git

    if tracked_by_git(options.cache_dir):
        return None  # committed with the code: whoever wrote the code chose its contents

    salt = cache_salt(
        __version__,
        engine.rules.digest,
        engine.signals.digest,
        str(options.prefilter),
        str(options.max_file_size),
    )
    return ScanCache(options.cache_dir, salt)


def _result(
    root: Path,
    files: list[Discovered],
    outcomes: list[FileOutcome],
    engine: _Engine,
    cache_hits: int,
    prefiltered: int,
) -> ScanResult:
    findings = sorted(
        (f for o in outcomes for f in o.findings),
        key=lambda f: (f.path, f.line, f.column, f.rule),
    )
    if any(f.kind == ID_TOKEN_BEARER for f in findings):
        from idtoken_migrate.scan.claims import add_project_claim_reads

        readable = [(item.relpath, item.path) for item in files]
        claims = engine.signals.id_claims
        findings = list(add_project_claim_reads(tuple(findings), readable, claims))
    errors = sorted((o.error for o in outcomes if o.error), key=lambda e: e.path)
    parsed = sum(1 for o in outcomes if o.parsed)
    stats = ScanStats(
        files=len(files),
        prefiltered=prefiltered,
        parsed=parsed,
        cached=cache_hits,
        suppressed=sum(o.suppressed for o in outcomes),
        errors=len(errors),
        lines=sum(o.lines for o in outcomes),
    )
    return ScanResult(
        root=str(root),
        findings=tuple(findings),
        errors=tuple(errors),
        stats=stats,
        rules=tuple(r.info for r in engine.rules.rules),
        generated=tuple(
            sorted((o.generated for o in outcomes if o.generated), key=lambda m: m.path)
        ),
    )
