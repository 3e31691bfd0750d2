"""Files that could crash the parser: a cheap pre-screen, and a worker replaced when it dies.

libcst's native parser recurses on the shape of an expression, and its time grows with the square
of a chain's length: a lookup table written as one sum of 12,000 terms costs it minutes and then
overflows its stack and kills the process (no findings, no errors, exit 139); so do a chain of
20,000 attributes and brackets nested 3,000 deep. So before a file goes to libcst, `screen`
tokenizes it (several times faster than libcst parses) and measures its deepest bracket nesting
and its longest *run*: tokens at one bracket level with no `,` `;` or `=` between them, which is
what makes one expression deep (a flat list of 100,000 items has short runs; `1 + 1 + ...` has one
long one).

- nesting deeper than `MAX_NESTING` (200, where CPython's own tokenizer stops) or a run longer than
  `MAX_RUN` is refused outright: libcst parses a run of 2,000 tokens in well under a second;
- a file the tokenizer rejects, or a logical line of more than `RISKY_TOKENS` tokens, is parsed
  in an `IsolatedParser`: one worker process for the whole scan, replaced when it dies, with a
  time limit (`PARSE_TIMEOUT`) and, where the platform allows, a memory limit (`PARSE_MEMORY`);
- everything else, nearly every file, is parsed where it is.

A file that is refused or that kills or exhausts the worker becomes a `FileError` reading
`could not be parsed safely: <reason>` (`unsafe_outcome`); the scan goes on with the other files.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from idtoken_migrate.model import FileOutcome

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from idtoken_migrate.config.rulepack import RuleSet

UNSAFE_PREFIX = "could not be parsed safely"
MAX_NESTING = 200
# A sum of 1,000 terms (a run of 2,000 tokens) takes libcst 0.4 s, one of 2,000 terms 1.5 s, one
# of 8,000 terms kills it; a 1,000-link attribute chain 0.2 s, a 4,000-link one 10 s.
MAX_RUN = 2_000
# A flat literal of 100,000 items (200,000 tokens) parses in about 5 s: larger, isolate it.
RISKY_TOKENS = 200_000
PARSE_TIMEOUT = 60.0  # seconds for one file in the isolated worker
PARSE_MEMORY = 4 * 1024**3  # bytes of address space for the isolated worker

_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_RESETS = frozenset({",", ";", "="})
_SKIP = frozenset(
    {
        tokenize.NL,
        tokenize.COMMENT,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
        tokenize.ENDMARKER,
    }
)


@dataclass(frozen=True)
class Screen:
    """What `screen` measured, each with the line where it peaked."""

    depth: int = 0  # deepest bracket nesting
    depth_line: int = 0
    run: int = 0  # longest run of tokens at one bracket level without `,` `;` `=`
    run_line: int = 0
    tokens: int = 0  # longest logical line, in tokens
    tokens_line: int = 0
    tokenize_error: str | None = None  # the tokenizer gave up: the parser may still try

    @property
    def refusal(self) -> str | None:
        """Why the file is not parsed at all, or None."""
        if self.depth > MAX_NESTING:
            return (
                f"brackets nested more than {MAX_NESTING} deep at line {self.depth_line} "
                f"(Python's own limit is {MAX_NESTING})"
            )
        if self.run > MAX_RUN:
            return (
                f"an expression of more than {MAX_RUN:,} tokens without a separator at line "
                f"{self.run_line} (generated code? exclude it with --exclude or scan.exclude)"
            )
        return None

    @property
    def risky(self) -> bool:
        """Parse it in the isolated worker: it may crash or exhaust the parser."""
        return self.tokens > RISKY_TOKENS or self.tokenize_error is not None

    def describe(self) -> str:
        """The shape that made the file risky, for an error message."""
        if self.tokens > RISKY_TOKENS:
            return f"a statement of {self.tokens:,} tokens at line {self.tokens_line}"
        if self.tokenize_error is not None:
            return f"source the tokenizer rejects ({self.tokenize_error})"
        return "this file"


def screen(data: bytes) -> Screen:
    """Measure nesting, runs and logical lines without building any tree."""
    depth = max_depth = depth_line = 0
    runs = [0]  # the current run at each open bracket level
    max_run = run_line = 0
    count = max_count = count_line = 0
    start = 1
    error: str | None = None
    try:
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            kind = tok.type
            if kind in _SKIP:
                continue
            if kind == tokenize.NEWLINE:
                if count > max_count:
                    max_count, count_line = count, start
                count = 0
                runs = [0]
                depth = 0
                continue
            if count == 0:
                start = tok.start[0]
            count += 1
            if kind == tokenize.OP:
                text = tok.string
                if text in _RESETS:
                    runs[-1] = 0
                    continue
                if text in _CLOSE and depth:
                    depth -= 1
                    runs.pop()
            run = runs[-1] + 1
            runs[-1] = run
            if run > max_run:
                max_run, run_line = run, tok.start[0]
                if run > MAX_RUN:
                    break  # refused whatever follows
            if kind == tokenize.OP and tok.string in _OPEN:
                depth += 1
                runs.append(0)
                if depth > max_depth:
                    max_depth, depth_line = depth, tok.start[0]
                    if depth > MAX_NESTING:
                        break
    except (tokenize.TokenError, SyntaxError, ValueError) as exc:
        # The shape seen so far still counts: an error after a huge statement must not hide it.
        error = " ".join(str(exc.args[0] if exc.args else exc).split())[:120]
    if count > max_count:
        max_count, count_line = count, start
    return Screen(max_depth, depth_line, max_run, run_line, max_count, count_line, error)


def unsafe_outcome(data: bytes, relpath: str, reason: str, lines: int = 0) -> FileOutcome:
    """The outcome of a file the parser could not be trusted with: listed under errors."""
    from idtoken_migrate.scan.engine import parse_failure

    return parse_failure(data, relpath, f"{UNSAFE_PREFIX}: {reason}", lines=lines)


# -- the isolated worker -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerSpec:
    """How the worker scans: the scan's own rules and options."""

    rules: RuleSet
    prefilter: bool = True
    max_file_size: int = 0


def _worker_main(conn: Connection, spec: WorkerSpec, memory: int) -> None:
    import faulthandler

    faulthandler.disable()  # a crash here is expected and reported by the parent, not dumped
    _limit_memory(memory)
    from idtoken_migrate.scan.engine import scan_bytes
    from idtoken_migrate.scan.signals import load_signals

    signals = load_signals()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        relpath, data = request
        outcome = scan_bytes(
            data,
            relpath,
            spec.rules,
            signals,
            prefilter=spec.prefilter,
            max_file_size=spec.max_file_size,
            screened=True,
        )
        conn.send(outcome)


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time limit still holds
        return
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _context() -> Any:
    # fork where it is safe and cheap (Linux: the worker starts with everything imported),
    # spawn elsewhere (macOS and Windows default to it).
    import multiprocessing  # not before a file needs it: a one-file scan seldom does

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)


class IsolatedParser:
    """One worker process that scans files one at a time; a file that kills it or outlasts the
    time limit becomes an `unsafe_outcome` and the next file gets a fresh worker."""

    def __init__(
        self,
        spec: WorkerSpec,
        *,
        timeout: float = PARSE_TIMEOUT,
        memory: int = PARSE_MEMORY,
    ) -> None:
        self.spec = spec
        self.timeout = timeout
        self.memory = memory
        self.restarts = 0
        self._proc: Any = None
        self._conn: Connection | None = None

    def scan(self, relpath: str, data: bytes, why: str, lines: int = 0) -> FileOutcome:
        """Scan one file in the worker; `why` says what made it risky, for the error."""
        conn = self._ensure()
        timed_out = False
        try:
            conn.send((relpath, data))
            if conn.poll(self.timeout):
                outcome = conn.recv()  # EOFError when the worker died
                if isinstance(outcome, FileOutcome):
                    return outcome
            else:
                timed_out = True
        except (EOFError, OSError):
            pass
        return unsafe_outcome(data, relpath, self._failure(why, timed_out), lines)

    def _failure(self, why: str, timed_out: bool) -> str:
        proc = self._proc
        if proc is not None and not timed_out:
            proc.join(timeout=10)  # it is dying: let it finish, for its exit code
        self._stop(kill=True)
        self.restarts += 1
        if timed_out:
            return f"the parser took more than {self.timeout:g} s on {why}"
        code = proc.exitcode if proc is not None else None
        if code is not None and code < 0:
            return f"the parser crashed (signal {-code}) on {why}"
        return f"the parser stopped (exit {code}) on {why}"

    def _ensure(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._stop(kill=True)
        ctx = _context()
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker_main, args=(child, self.spec, self.memory), daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        return parent

    def _stop(self, *, kill: bool) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            if not kill:
                with contextlib.suppress(OSError, EOFError, BrokenPipeError):
                    conn.send(None)
            conn.close()
        if proc is not None:
            if kill and proc.is_alive():
                proc.kill()
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def close(self) -> None:
        self._stop(kill=False)

    def __enter__(self) -> IsolatedParser:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        self.close()
