"""Python 2 files libcst cannot parse (`print x`, `except X, e:`): a lexical fallback (issue 12,
class 7).

The oldest ID-token APIs are often still Python 2, and their sites used to vanish into `errors`.
For a file the prefilter kept but libcst rejected, this pass finds the rule packs' call-style
verification sites by their imported names (`import jwt`, `from jose import jwt as j`), reads the
call's arguments as text, and weighs what can be seen lexically: the rule's own token kind, the
audience and key names (one assignment deep), `verify=False` and `verify_signature: False`, where
the token comes from in the enclosing function, claims read, `token_use` checks, and the same
wiring as parsed code (`wiring.py` over `lexical.py`). Findings carry confidence `low`, the fact
`parser: lexical`, and a note that `apply` will not edit the file; the gate counts them like any
other. Method-style and settings rules need the parsed tree and are not tried.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from idtoken_migrate.config.rulepack import Rule, RulePack
from idtoken_migrate.model import Finding, SiteFacts
from idtoken_migrate.scan import lexical
from idtoken_migrate.scan.analyze import Evidence, Site, Trace
from idtoken_migrate.scan.classify import to_findings
from idtoken_migrate.scan.evidence import audience_evidence, key_evidence
from idtoken_migrate.scan.signals import Signals
from idtoken_migrate.scan.wiring import issues_credential, wired_as

NOTE = (
    "Python 2 source: libcst cannot parse this file, so the site was found by a lexical pass "
    "(low confidence); `apply` will not edit this file: migrate it by hand"
)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+(?P<names>[\w., \t]+)$", re.M)
_FROM = re.compile(
    r"^[ \t]*from[ \t]+(?P<module>[\w.]+)[ \t]+import[ \t]+"
    r"(?:\((?P<list>[^)]*)\)|(?P<line>[^\n]*))",
    re.M,
)
_CALL = re.compile(r"(?<![\w.])(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)[ \t]*\(")
_WORD = re.compile(r"[A-Za-z_]\w*")
_STRING = re.compile(r"""[rRuUbB]{0,2}(?P<q>["'])(?P<s>(?:\\.|(?!(?P=q)).)*)(?P=q)""")


def looks_like_python2(text: str) -> bool:
    """What makes libcst give up on old code: print statements, `except X, e`, backticks, `<>`."""
    return bool(
        re.search(r"^[ \t]*print[ \t]+[^\s(=]", text, re.M)
        or re.search(r"^[ \t]*except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:", text, re.M)
        or re.search(r"^[ \t]*raise[ \t]+[\w.]+[ \t]*,", text, re.M)
        or re.search(r"\bur?['\"]|`[^`\n]+`|<>|\b0[0-7]+\b|\bexec[ \t]+['\"]", text)
    )


def _aliases(text: str) -> dict[str, str]:
    """Local name -> qualified name, from the file's import statements."""
    out: dict[str, str] = {}
    for m in _IMPORT.finditer(text):
        for part in m["names"].split(","):
            bits = part.split()
            if not bits:
                continue
            if len(bits) == 3 and bits[1] == "as":
                out[bits[2]] = bits[0]
            else:
                out[bits[0].split(".")[0]] = bits[0].split(".")[0]
    for m in _FROM.finditer(text):
        for part in (m["list"] or m["line"] or "").split(","):
            bits = part.split("#")[0].split()
            if not bits or bits[0] == "*":
                continue
            local = bits[2] if len(bits) == 3 and bits[1] == "as" else bits[0]
            out[local] = f"{m['module']}.{bits[0]}"
    return out


def _call_args(text: str, start: int) -> tuple[str, int]:
    """The text between the call's parentheses (from `start`, just after `(`), and its end."""
    depth, i = 1, start
    while i < len(text) and depth:
        ch = text[i]
        if ch in "\"'":
            m = _STRING.match(text, i)
            i = m.end() if m else i + 1
            continue
        depth += ch in "([{"
        depth -= ch in ")]}"
        i += 1
    return text[start : i - 1], i


def _split(args: str) -> tuple[list[str], dict[str, str]]:
    """Top-level positional and keyword arguments of an argument list."""
    parts, depth, current = [], 0, ""
    for ch in args:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch in "([{"
        depth -= ch in ")]}"
        current += ch
    parts.append(current)
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for part in (p.strip() for p in parts):
        m = re.match(r"^(\w+)[ \t]*=(?!=)(.*)$", part, re.S)
        if m:
            keywords[m[1]] = m[2].strip()
        elif part and not part.startswith("*"):
            positional.append(part)
    return positional, keywords


def _argument(rule: Rule, role: str, positional: list[str], keywords: dict[str, str]) -> str | None:
    spec = rule.arg(role)
    if spec is None:
        return None
    for keyword in spec.keywords:
        if keyword in keywords:
            return keywords[keyword]
    if spec.position is not None and spec.position < len(positional):
        return positional[spec.position]
    return None


def _trace(text: str, expr: str) -> Trace:
    """Names and strings of an expression, and of one assignment behind a bare name."""
    trace = Trace(_WORD.findall(_STRING.sub(" ", expr)), [m["s"] for m in _STRING.finditer(expr)])
    if re.fullmatch(r"[A-Za-z_][\w.]*", expr.strip()):
        last = re.escape(expr.strip())
        for m in re.finditer(rf"^[ \t]*{last}[ \t]*=(?!=)[ \t]*(?P<value>[^\n]+)", text, re.M):
            value = m["value"]
            trace.words += _WORD.findall(_STRING.sub(" ", value))
            trace.strings += [s["s"] for s in _STRING.finditer(value)]
    return trace


def scan_legacy(
    text: str, relpath: str, packs: tuple[RulePack, ...], signals: Signals
) -> tuple[Finding, ...]:
    aliases = _aliases(text)
    if not aliases:
        return ()
    module = lexical.read(text)
    findings: list[Finding] = []
    for finding in to_findings(_sites(text, aliases, module, packs, signals), relpath):
        findings.append(
            _replace(
                finding,
                confidence="low",
                facts=replace(finding.facts, parser="lexical", apply="not-editable"),
            )
        )
    return tuple(findings)


def _replace(finding: Finding, **changes: object) -> Finding:
    from dataclasses import replace

    return replace(finding, **changes)  # type: ignore[arg-type]


def _sites(
    text: str,
    aliases: dict[str, str],
    module: lexical.LexModule,
    packs: tuple[RulePack, ...],
    signals: Signals,
) -> Iterator[Site]:
    rules = [r for p in packs for r in p.rules if r.form == "call"]
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    for m in _CALL.finditer(text):
        line = _line_of(line_starts, m.start())
        if _in_comment_or_string(text, line_starts[line - 1], m.start()):
            continue
        head, _, rest = m["name"].partition(".")
        qualified = aliases.get(head)
        if qualified is None:
            continue
        qualname = f"{qualified}.{rest}" if rest else qualified
        rule = next((r for r in rules if qualname in r.qualnames), None)
        if rule is None:
            continue
        args, end = _call_args(text, m.end())
        yield _site(text, rule, qualname, m.start(), end, line, line_starts, args, module, signals)


def _line_of(line_starts: list[int], offset: int) -> int:
    lo, hi = 0, len(line_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _in_comment_or_string(text: str, line_start: int, offset: int) -> bool:
    before = text[line_start:offset]
    return "#" in before or before.count('"') % 2 == 1 or before.count("'") % 2 == 1


def _site(
    text: str,
    rule: Rule,
    qualname: str,
    start: int,
    end: int,
    line: int,
    line_starts: list[int],
    args: str,
    module: lexical.LexModule,
    signals: Signals,
) -> Site:
    positional, keywords = _split(args)
    ev: list[Evidence] = []
    facts: dict[str, Any] = {"site": "call", "qualname": qualname}  # SiteFacts fields
    if rule.token in ("id", "access"):
        toward = rule.token
        label = "ID" if toward == "id" else "access"
        ev.append(
            Evidence(
                f"api-verifies-{toward}-tokens", toward, 3, f"{qualname} verifies {label} tokens"
            )
        )
    unverified = rule.always_unverified or any(
        keywords.get(k, "").strip() == "False" for k in rule.unverified_keywords
    )
    options = _argument(rule, "options", positional, keywords) or ""
    for option in rule.unverified_options:
        if re.search(rf"[\"']{option}[\"'][ \t]*:[ \t]*False", options):
            unverified = True
    if unverified:
        ev.append(
            Evidence("signature-not-verified", "unverified", 3, f"{qualname} checks no signature")
        )
    audience = _argument(rule, "audience", positional, keywords) or _argument(
        rule, "client_id", positional, keywords
    )
    words: list[str] = []
    if audience is not None:
        facts["audience_expr"] = audience
        trace = _trace(text, audience)
        words += trace.all()
        if rule.token is None:
            ev.extend(audience_evidence(signals, trace, audience, rule))
    key = _argument(rule, "key", positional, keywords)
    if key is not None:
        facts["key_expr"] = key
        trace = _trace(text, key)
        words += trace.all()
        ev.extend(key_evidence(signals, trace, key, [], rule))
    func = module.function_at(line)
    body = "\n".join(module.lines[func.line - 1 : func.end]) if func else ""
    token = _argument(rule, "token", positional, keywords) or ""
    source = _WORD.findall(token) + _WORD.findall(body) + [m["s"] for m in _STRING.finditer(body)]
    strong = signals.any("request_strong", source)
    if strong:
        ev.append(
            Evidence(
                "token-from-request", "request", 3, f"the token comes from the request ({strong})"
            )
        )
    if func is not None:
        facts["function"] = func.name
        ev.extend(_lexical_wiring(module, func, signals))
        ev.extend(_claims(body, signals))
    ev.append(Evidence("parsed-lexically", "note", 0, NOTE))
    end_line = _line_of(line_starts, end)
    snippet = " ".join(text[start:end].split())[:200]
    provider = rule.provider or _provider(signals, words, text)
    return Site(
        rule=rule,
        line=line,
        column=start - line_starts[line - 1] + 1,
        end_line=end_line,
        end_column=end - line_starts[end_line - 1] + 1,
        symbol=func.name if func else "<module>",
        snippet=snippet,
        evidence=tuple(ev),
        facts=SiteFacts(**facts),
        provider=provider,
        qualname=qualname,
    )


def _lexical_wiring(
    module: lexical.LexModule, func: lexical.LexFunction, signals: Signals
) -> list[Evidence]:
    chain: list[lexical.LexFunction] = [func]
    parent = func.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    chain += [c for c in module.callers_of(func.name) if c is not None and c not in chain]
    for f in chain:
        wired = wired_as(f, module.depends_refs, module.decorator_uses)
        if wired:
            return [Evidence("wired-to-requests", "wired", 3, wired)]
    for f in chain:
        issued = issues_credential(f, signals)
        if issued:
            return [Evidence("issues-own-credential", "issues", 3, issued)]
    return []


def _claims(body: str, signals: Signals) -> list[Evidence]:
    keys = set(
        re.findall(r"""\[[ \t]*["']([\w:]+)["'][ \t]*\]|\.get\([ \t]*["']([\w:]+)["']""", body)
    )
    read = {k for pair in keys for k in pair if k}
    ev: list[Evidence] = []
    id_read = sorted(read & signals.id_claims)
    access_read = sorted(read & signals.access_claims)
    if id_read:
        ev.append(
            Evidence(
                "reads-id-token-claims", "id", 2, "reads ID-token claims: " + ", ".join(id_read)
            )
        )
    if access_read:
        ev.append(
            Evidence(
                "reads-access-token-claims",
                "access",
                2,
                "reads access-token claims: " + ", ".join(access_read),
            )
        )
    use = re.search(r"""["']token_use["'][ \t]*\][ \t]*[!=]=[ \t]*["'](id|access)["']""", body)
    if use:
        toward = use[1]
        ev.append(Evidence(f"token-use-{toward}", toward, 4, f"checks token_use is {toward}"))
    return ev


def _provider(signals: Signals, words: list[str], text: str) -> str | None:
    hits = signals.provider_hits(words) or signals.provider_hits(
        re.findall(r"[A-Za-z_][A-Za-z0-9_.:/-]{3,}", text)
    )
    return max(sorted(hits), key=lambda p: hits[p]) if hits else None
