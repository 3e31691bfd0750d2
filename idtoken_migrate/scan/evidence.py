"""Weigh what a site's arguments, callers and readers say about the token it verifies."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterator, Mapping
from typing import Any

import libcst as cst
from libcst.helpers import get_full_name_for_node

from idtoken_migrate.config.rulepack import Rule
from idtoken_migrate.model import SiteFacts
from idtoken_migrate.scan.analyze import (
    Evidence,
    Function,
    ModuleAnalysis,
    Site,
    Trace,
    string_value,
)
from idtoken_migrate.scan.project import Wiring
from idtoken_migrate.scan.signals import Signals
from idtoken_migrate.scan.wiring import reach, wiring
from idtoken_migrate.vocabulary import HMAC_ALGORITHMS, JWS_ALGORITHMS

# DECISIVE: what only one kind of token carries (token_use, scp); outweighs a client-id audience.
DECISIVE, STRONG, MEDIUM, WEAK = 4, 3, 2, 1
_ACCESS_ONLY_CLAIMS = frozenset({"scp", "scope", "cid", "client_id", "gty"})
_HS = HMAC_ALGORITHMS
# Key objects whose `.verify(message, signature)` checks a JWS signature by hand.
_HAND_VERIFY_KEYS = frozenset({"jose.jwk.construct", "jose.jwk.RSAKey", "jose.backends.RSAKey"})
_KNOWN_ALGORITHMS = frozenset(a.upper() for a in JWS_ALGORITHMS)  # compared upper-cased


class SiteBuilder:
    def __init__(
        self,
        analysis: ModuleAnalysis,
        signals: Signals,
        project: Mapping[str, Wiring] | None = None,
    ) -> None:
        self.a = analysis
        self.s = signals
        self.c = analysis.c
        self.project = project or {}  # exported name -> what callers in other modules do

    # -- entry points ---------------------------------------------------------------------
    def sites(self) -> Iterator[Site]:
        verifying_funcs: set[int] = set()
        matched: list[tuple[Site, cst.Call, Function]] = []
        for call, func, symbol in self.c.candidates:
            for rule, qualname in self.a.match(call):
                site = self._call_site(rule, qualname, call, func, symbol)
                matched.append((site, call, func))
                if not rule.always_unverified or site.facts.verified_by_hand is not None:
                    verifying_funcs.add(id(func))
        composed = self._composed({id(call) for _, call, _ in matched}, [c for _, c, _ in matched])
        for site, call, func in matched:
            if id(call) in composed:
                continue  # a verifier passed into another verifier is part of that one site
            # A peek at unverified claims beside a real verification is how kid/iss get chosen.
            if (
                site.rule.always_unverified
                and id(func) in verifying_funcs
                and site.facts.verified_by_hand is None
            ):
                continue
            yield site
        for assign, symbol in self.c.settings:
            for rule in self.c.rules:
                if rule.form == "settings" and any(
                    isinstance(t.target, cst.Name) and t.target.value in rule.settings_targets
                    for t in assign.targets
                ):
                    site = self._settings_site(rule, assign, symbol)
                    if site is not None:
                        yield site
        yield from self._claim_check_sites(verifying_funcs)

    def _composed(self, site_calls: set[int], calls: list[cst.Call]) -> set[int]:
        """Sites whose object is handed to another site's call as an argument."""
        inner: set[int] = set()
        for call in calls:
            for arg in call.args:
                built = self.a._construction(arg.value)
                if built is not None and id(built) in site_calls and built is not call:
                    inner.add(id(built))
        return inner

    # -- sites ----------------------------------------------------------------------------
    def _call_site(
        self, rule: Rule, qualname: str, call: cst.Call, func: Function, symbol: str
    ) -> Site:
        ev: list[Evidence] = []
        facts: dict[str, Any] = {"site": rule.form, "qualname": qualname}  # SiteFacts fields
        if func is not None:
            facts["function"] = func.name.value
            facts["class_"] = self.c.func_class.get(id(func), "")
        handlers = self.c.handlers.get(id(call))
        if handlers:
            facts["handlers"] = tuple(handlers)

        if rule.token == "id":
            ev.append(
                Evidence("api-verifies-id-tokens", "id", STRONG, f"{qualname} verifies ID tokens")
            )
        elif rule.token == "access":
            ev.append(
                Evidence(
                    "api-verifies-access-tokens",
                    "access",
                    STRONG,
                    f"{qualname} verifies access tokens",
                )
            )
        if rule.always_unverified:
            ev.append(
                Evidence(
                    "signature-not-verified",
                    "unverified",
                    STRONG,
                    f"{qualname} checks no signature",
                )
            )

        by_hand = self._verified_by_hand(func) if rule.always_unverified else None
        if by_hand:
            ev = [e for e in ev if e.signal != "signature-not-verified"]
            ev.append(Evidence("signature-verified-by-hand", "note", 0, by_hand))
            facts["verified_by_hand"] = by_hand

        token_expr = self.a.argument(rule, call, "token")
        token_funcs: list[Function] = [func]
        token_trace = Trace()
        uses = []
        if token_expr is None and rule.form == "call" and rule.token is not None:
            # A verifier object: the token arrives at `.verify(token)` on it.
            uses = self.a.uses_of(call)
            for use, use_func in uses:
                if use.args:
                    token_trace = _merge(
                        token_trace, self._token_trace(use.args[0].value, use_func)
                    )
                    token_funcs.append(use_func)
        if token_expr is not None:
            facts["token_expr"] = self.a.code(token_expr)
            token_trace = self._token_trace(token_expr, func)
        ev.extend(self._source_evidence(token_trace, rule, token_funcs))
        ev.extend(self._name_evidence(token_expr, token_funcs))
        if not any(e.toward in ("wired", "issues") for e in ev):
            exported = self._exported(call, token_funcs)
            if exported:
                facts["exported"] = tuple(exported)

        aud = self._audience(rule, call, func)
        if aud is not None:
            facts["audience_expr"] = self.a.code(aud)
            if (
                rule.token is None
            ):  # an API that fixes the token kind is not outvoted by its audience
                ev.extend(self._audience_evidence(self.a.trace(aud), self.a.code(aud), rule))
        elif rule.token is None and not rule.always_unverified:
            ev.append(Evidence("audience-not-checked", "note", 0, "no audience is checked"))

        key = self.a.argument(rule, call, "key")
        if key is not None:
            facts["key_expr"] = self.a.code(key)
        algorithms = self.a.argument(rule, call, "algorithms")
        alg_values = self.a.trace(algorithms).strings if algorithms is not None else []
        if algorithms is not None:
            facts["algorithms"] = self.a.code(algorithms)
            known = [a for a in alg_values if a.upper() in _KNOWN_ALGORITHMS]
            if known:  # the values behind a constant (ALGORITHMS = ["HS256"])
                facts["algorithm_values"] = tuple(dict.fromkeys(known))
        ev.extend(self._key_evidence(key, alg_values, rule))
        issuer = self.a.argument(rule, call, "issuer")
        if issuer is not None:
            facts["issuer_expr"] = self.a.code(issuer)
        options = self.a.argument(rule, call, "options")
        ev.extend(self._options_evidence(rule, call, options))
        claims_cls = self.a.argument(rule, call, "claims_cls")
        if claims_cls is not None:
            name = get_full_name_for_node(claims_cls) or ""
            if "IDToken" in name:
                ev.append(
                    Evidence("claims-class-id-token", "id", STRONG, f"claims validated as {name}")
                )

        result_funcs = [f for f in token_funcs]
        ev.extend(self._claims_evidence(call, func, result_funcs, facts, uses))
        words = token_trace.all() + [qualname]
        for role in ("audience", "client_id", "key", "issuer"):
            expr = self.a.argument(rule, call, role)
            if expr is not None:
                words += self.a.trace(expr).all()
        provider = rule.provider or self._provider(words)
        ev = self._by_provider(ev, provider, rule)
        return self._site(rule, call, symbol, ev, facts, provider)

    def _by_provider(self, ev: list[Evidence], provider: str | None, rule: Rule) -> list[Evidence]:
        """What an audience equal to the client id means on this provider (its profile says)."""
        meaning = self.s.audience_meaning(provider)
        if meaning is None or "audience-is-client-id" in dict(rule.weights):
            return ev  # a pack that weighs the audience itself keeps its weight
        if any(e.signal == "token-from-token-response" for e in ev):
            return ev  # the client that logged in checks its own ID token
        out: list[Evidence] = []
        names = ("audience-is-client-id",) + (
            ("audience-unknown", "audience-unclear") if meaning.any_audience else ()
        )
        for e in ev:
            if e.signal in names:
                detail = f"{e.detail}: {meaning.why}"
                if meaning.meaning == "id":
                    e = Evidence(e.signal, "id", meaning.strength, detail)
                elif meaning.meaning == "access":
                    e = Evidence("audience-is-api-client-id", "access", meaning.strength, detail)
                else:
                    e = Evidence("audience-kind-by-other-claim", "note", 0, detail)
            out.append(e)
        return out

    def _verified_by_hand(self, func: Function) -> str | None:
        """`jwk.construct(key).verify(message, signature)` in the function that then reads the
        unverified claims: the providers' own sample checks the signature by hand."""
        for use, use_func in self.c.method_uses:
            if use_func is not func or self.c.bare_name(use) != "verify":
                continue
            built = self.a._construction(use.func.value)  # type: ignore[attr-defined]
            if built is None:
                continue
            names = self.a._qualnames(built.func)
            hit = next((n for n in names if n in _HAND_VERIFY_KEYS), None)
            if hit:
                return f"the signature is checked by hand ({hit}(...).verify) before reading claims"
        return None

    def _settings_site(self, rule: Rule, assign: cst.Assign, symbol: str) -> Site | None:
        assert isinstance(assign.value, cst.Dict)
        roles = dict(rule.settings_roles)
        ev: list[Evidence] = [
            Evidence(
                "framework-reads-bearer", "request", STRONG, "the framework reads the bearer token"
            )
        ]
        name = next(
            t.target.value
            for t in assign.targets
            if isinstance(t.target, cst.Name) and t.target.value in rule.settings_targets
        )
        facts: dict[str, Any] = {"site": "settings", "qualname": name}
        words: list[str] = []
        for element in assign.value.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = string_value(element.key)
            role = roles.get(key or "")
            if role is None:
                continue
            trace = self.a.trace(element.value)
            words += trace.all()
            facts[f"{role}_expr"] = self.a.code(element.value)
            if role == "audience":
                ev.extend(self._audience_evidence(trace, self.a.code(element.value), rule))
            elif role == "key":
                ev.extend(self._key_evidence(element.value, [], rule))
        if "audience_expr" not in facts:
            return (
                None  # no audience: the app's own tokens (SimpleJWT's default), not OpenID Connect
            )
        provider = rule.provider or self._provider(words)
        ev = self._by_provider(ev, provider, rule)
        return self._site(rule, assign, symbol, ev, facts, provider)

    def _claim_check_sites(self, verifying_funcs: set[int]) -> Iterator[Site]:
        rules = [r for r in self.c.rules if r.form == "claim_check"]
        if not rules:
            return
        for func_id, checks in self.c.checks.items():
            if func_id in verifying_funcs:
                continue
            for rule in rules:
                hits = [(k, v, n) for k, v, n in checks if k in rule.claim_check_keys]
                if not hits:
                    continue
                # Report at the token_use check when there is one, else at the first listed key's.
                hits.sort(key=lambda h: rule.claim_check_keys.index(h[0]))
                key, _value, node = hits[0]
                func = self.c.func_by_id.get(func_id)
                ev = list(self._check_evidence(func_id))
                if not any(e.toward in ("id", "access") for e in ev):
                    continue
                facts: dict[str, Any] = {"site": "claim_check", "qualname": f"claims[{key!r}]"}
                if func is not None:
                    facts["function"] = func.name.value
                symbol = self.c.func_symbol.get(func_id, "<module>")
                ev += self._source_evidence(Trace(), rule, [func] if func else [])
                ev = self._by_provider(ev, rule.provider, rule)
                yield self._site(rule, node, symbol, ev, facts, rule.provider)

    def _audience(self, rule: Rule, call: cst.Call, func: Function) -> cst.BaseExpression | None:
        """The audience a site accepts: its argument, or one declared beside it (claims options)."""
        aud = self.a.argument(rule, call, "audience") or self.a.argument(rule, call, "client_id")
        if aud is None and rule.token is None:
            declared = self.c.declared_aud.get(id(func)) or self.c.declared_aud.get(id(None))
            aud = declared[0] if declared else None
        return _narrow_audience(self.a, aud) if aud is not None else None

    def _site(
        self,
        rule: Rule,
        node: cst.CSTNode,
        symbol: str,
        evidence: list[Evidence],
        facts: dict[str, Any],
        provider: str | None,
    ) -> Site:
        line, col, end_line, end_col = self.a._pos(node)
        return Site(
            rule=rule,
            line=line,
            column=col,
            end_line=end_line,
            end_column=end_col,
            symbol=symbol,
            snippet=_one_line(self.a.code(node)),
            evidence=tuple(evidence),
            facts=SiteFacts(**facts),
            provider=provider,
            qualname=facts["qualname"],
        )

    # -- evidence -------------------------------------------------------------------------
    def _token_trace(self, expr: cst.BaseExpression, func: Function, depth: int = 0) -> Trace:
        trace = self.a.trace(expr)
        if depth < 2:
            for owner, param in list(trace.params):
                for arg, caller in self.a.caller_args(owner, param):
                    trace = _merge(trace, self._token_trace(arg, caller, depth + 1))
        return trace

    def _source_evidence(self, trace: Trace, rule: Rule, funcs: list[Function]) -> list[Evidence]:
        ev: list[Evidence] = []
        words = trace.words
        strong = self.s.any("request_strong", trace.all())
        weak = self.s.any("request_weak", words)
        # `id_token` as a key of a token response is a login; as a cookie or header name, it is not.
        login_value = None if strong or weak else self.s.any("login_values", trace.strings)
        login_name = self.s.any("login_names", words)
        if login_value or login_name:
            ev.append(
                Evidence(
                    "token-from-token-response",
                    "login",
                    STRONG,
                    f"the token comes from a token endpoint response ({login_value or login_name})",
                )
            )
        if strong or (weak and not login_name):
            ev.append(
                Evidence(
                    "token-from-request",
                    "request",
                    STRONG if strong else MEDIUM,
                    f"the token comes from the request ({strong or weak})",
                )
            )
        ev.extend(self._wiring_evidence(funcs))
        for func in funcs:
            if func is None:
                continue
            made = self.c.call_words.get(id(func), [])
            session = self.s.any("session_calls", made) or self._writes_session(func)
            if session:
                ev.append(
                    Evidence(
                        "creates-session",
                        "login",
                        MEDIUM,
                        f"{func.name.value}() creates a session ({session})",
                    )
                )
            if self.s.patterns["login_function_names"].search(func.name.value):
                ev.append(
                    Evidence(
                        "login-handler",
                        "login",
                        WEAK,
                        f"{func.name.value}() looks like a login handler",
                    )
                )
        return _dedupe(ev)

    def _name_evidence(
        self, token_expr: cst.BaseExpression | None, funcs: list[Function]
    ) -> list[Evidence]:
        """Names are evidence too, weakly (issue 12, class 8): the verifying function's name, the
        token variable's, and the error messages around the site say which token is expected."""
        ev: list[Evidence] = []
        seen: dict[str, str] = {}
        for func in funcs:
            if func is None:
                continue
            kind = _named_kind(func.name.value)
            if kind:
                seen.setdefault(f"function {func.name.value}()", kind)
            for text in _STRING_RE.findall(self.a.code(func)):
                kind = _named_kind(text)
                if kind and " " in text.strip():  # a message, not a dict key
                    seen.setdefault(f"message {text.strip()[:60]!r}", kind)
                    break
        if isinstance(token_expr, cst.Name):
            kind = _named_kind(token_expr.value)
            if kind:
                seen.setdefault(f"variable {token_expr.value}", kind)
        kinds = set(seen.values())
        if len(kinds) != 1:
            return ev  # silent, or the names disagree
        toward = kinds.pop()
        label = "an ID token" if toward == "id" else "an access token"
        for what in list(seen)[:2]:
            ev.append(Evidence(f"name-says-{toward}", toward, WEAK, f"the {what} says {label}"))
        return ev

    def _exported(self, call: cst.Call | None, funcs: list[Function]) -> list[str]:
        """Module-level names other modules may call to reach this site (the project view)."""
        names: list[str] = []
        for func in funcs:
            for f in reach(self.c, func):
                cls = self.c.func_classdef.get(id(f))
                if self.c.func_parent.get(id(f)) is None and cls is None:
                    names.append(f.name.value)
                elif cls is not None and not f.name.value.startswith("_"):
                    names.append(f"{cls.name.value}.{f.name.value}")  # called on an instance
        if call is not None and None in funcs:  # a module-level `verifier = TokenVerifier(...)`
            names += [t for t, v in self.c.module_bindings.items() if v is call]
        return sorted(set(names))

    def _wiring_evidence(self, funcs: list[Function]) -> list[Evidence]:
        """Where the verified claims go: each request's identity, or the app's own session."""
        wired = issued = None
        for func in funcs:
            w, i = wiring(self.c, self.s, func)
            wired, issued = wired or w, issued or i
        if not wired and not issued and self.project:
            for name in self._exported(None, funcs):
                seen = self.project.get(name)
                if seen is not None:
                    wired, issued = wired or seen.wired, issued or seen.issued
        ev: list[Evidence] = []
        if wired:
            ev.append(Evidence("wired-to-requests", "wired", STRONG, wired))
        if issued:
            ev.append(
                Evidence("issues-own-credential", "note" if wired else "issues", STRONG, issued)
            )
        return ev

    def _writes_session(self, func: cst.FunctionDef) -> str | None:
        for base, _key in self.c.reads.get(id(func), []):
            if base.rsplit(".", 1)[-1] == "session":
                return base
        return None

    def _audience_evidence(self, trace: Trace, code: str, rule: Rule) -> list[Evidence]:
        return audience_evidence(self.s, trace, code, rule)

    def _key_evidence(
        self, key: cst.BaseExpression | None, algs: list[str], rule: Rule
    ) -> list[Evidence]:
        if key is None:
            return []
        return key_evidence(self.s, self.a.trace(key), self.a.code(key), algs, rule)

    def _options_evidence(
        self, rule: Rule, call: cst.Call, options: cst.BaseExpression | None
    ) -> list[Evidence]:
        ev: list[Evidence] = []
        for arg in call.args:
            if (
                arg.keyword is not None
                and arg.keyword.value in rule.unverified_keywords
                and isinstance(arg.value, cst.Name)
                and arg.value.value == "False"
            ):
                ev.append(
                    Evidence(
                        "signature-not-verified", "unverified", STRONG, f"{arg.keyword.value}=False"
                    )
                )
        if options is None:
            return ev
        for key, value in self.a.dict_entries(options).items():
            off = isinstance(value, cst.Name) and value.value == "False"
            if off and key in rule.unverified_options:
                ev.append(
                    Evidence("signature-not-verified", "unverified", STRONG, f'"{key}": False')
                )
            elif off and key == "verify_aud":
                ev.append(Evidence("audience-check-disabled", "note", 0, '"verify_aud": False'))
        return ev

    def _claims_evidence(
        self,
        call: cst.Call,
        func: Function,
        funcs: list[Function],
        facts: dict[str, Any],
        uses: list[tuple[cst.Call, Function]],
    ) -> list[Evidence]:
        """What the code reads and checks in the claims the site returns."""
        ev: list[Evidence] = []
        scopes: list[Function] = list(dict.fromkeys(funcs))
        # The verified claims flow back to callers of the function that returns them.
        for f in list(scopes):
            if f is not None and self.c.returns.get(id(f)):
                scopes.extend(caller for _, caller in self.c.calls_by_name.get(f.name.value, []))
        scopes = list(dict.fromkeys(scopes))
        read_keys: list[str] = []
        for f in scopes:
            read_keys.extend(k for _, k in self.c.reads.get(id(f), []))
            read_keys.extend(self.c.membership.get(id(f), []))
        # Claims stored on a request-wide object (`g.user = payload`) are read in other functions.
        stores = self._attribute_stores(call)
        if stores:
            facts["stored_in"] = tuple(sorted(stores))
            for reads in self.c.reads.values():
                read_keys.extend(k for base, k in reads if base in stores)
        id_read = sorted({k for k in read_keys if k in self.s.id_claims})
        access_read = sorted({k for k in read_keys if k in self.s.access_claims})
        if id_read:
            facts["claims_read"] = tuple(id_read)
            ev.append(
                Evidence(
                    "reads-id-token-claims",
                    "id",
                    MEDIUM,
                    "reads ID-token claims: " + ", ".join(id_read),
                )
            )
        if access_read:
            decisive = any(k in _ACCESS_ONLY_CLAIMS for k in access_read)
            ev.append(
                Evidence(
                    "reads-access-token-claims",
                    "access",
                    DECISIVE if decisive else MEDIUM,
                    "reads access-token claims: " + ", ".join(access_read),
                )
            )
        for f in scopes:
            ev.extend(self._check_evidence(id(f)))
        ev.extend(_both_kinds(ev))
        return _dedupe(ev)

    def _attribute_stores(self, call: cst.Call) -> set[str]:
        """`g.current_user`, `request.user`: attributes the site's result is stored in."""
        holders = {id(call)}
        holders |= {name for name, value in self.c.values.items() if value is call}
        stores: set[str] = set()
        for text, values in self.c.attr_targets.items():
            for value in values:
                if isinstance(value, cst.Name):
                    bound = {id(a.node) for a in self.a._assignments(value)}
                    if bound & holders:
                        stores.add(text)
                elif value is call:
                    stores.add(text)
        return stores

    def _check_evidence(self, func_id: int) -> Iterator[Evidence]:
        for key, value, node in self.c.checks.get(func_id, []):
            code = _one_line(self.a.code(node))
            if key == "token_use" and _kind_word(value) is None:
                # `claims["token_use"] != token_use`: the caller picks the kind (issue 12, class 3)
                picked = self._picked_by_callers(func_id, value)
                if picked:
                    value, code = picked
            if key == "token_use" and _kind_word(value) == "id":
                yield Evidence("token-use-id", "id", DECISIVE, f"checks token_use is id ({code})")
            elif key == "token_use" and _kind_word(value) == "access":
                yield Evidence(
                    "token-use-access", "access", DECISIVE, f"checks token_use is access ({code})"
                )
            elif key == "typ" and value in ("ID", "id"):
                yield Evidence("typ-id", "id", DECISIVE, f"checks typ is ID ({code})")
            elif key == "typ" and value in ("Bearer", "at+jwt", "at+JWT"):
                yield Evidence("typ-access", "access", DECISIVE, f"checks typ is {value} ({code})")
            elif key in ("client_id", "cid", "azp") and value is not None and key != "azp":
                yield Evidence(
                    "client-id-claim-check", "access", MEDIUM, f"checks the {key} claim ({code})"
                )
            elif key in ("scp", "scope", "roles", "permissions"):
                yield Evidence(
                    "scope-check",
                    "access",
                    DECISIVE if key in ("scp", "scope") else MEDIUM,
                    f"checks {key} ({code})",
                )
            elif key == "aud" and value is not None:
                if self.s.patterns["client_id_names"].search(value) or self.s.patterns[
                    "client_id_values"
                ].search(value):
                    yield Evidence(
                        "audience-is-client-id",
                        "id",
                        STRONG,
                        f"checks aud against a client id ({code})",
                    )
                elif self.s.patterns["api_audience_names"].search(value) or self.s.patterns[
                    "api_audience_values"
                ].search(value):
                    yield Evidence(
                        "audience-is-api", "access", STRONG, f"checks aud against an API ({code})"
                    )

    def _picked_by_callers(self, func_id: int, value: str | None) -> tuple[str, str] | None:
        """("id", why) when a caller passes the ID kind for the parameter a check compares with."""
        func = self.c.func_by_id.get(func_id)
        if func is None or not value:
            return None
        params = [*func.params.posonly_params, *func.params.params, *func.params.kwonly_params]
        param = next((p for p in params if p.name.value == value), None)
        if param is None:
            return None
        kinds: dict[str, str] = {}
        for arg, caller in self.a.caller_args(func, param):
            trace = self.a.trace(arg)
            for word in trace.strings + trace.words:
                kind = _kind_word(word)
                if kind:
                    where = caller.name.value if caller is not None else "<module>"
                    kinds.setdefault(kind, f"{where}() selects {word!r} for {func.name.value}()")
        if "id" in kinds:  # a verifier configured for both kinds still lets an ID token in
            return "id", kinds["id"]
        if "access" in kinds:
            return "access", kinds["access"]
        return None

    def _provider(self, words: list[str]) -> str | None:
        hits = self.s.provider_hits(words)
        if not hits:
            hits = self.s.provider_hits(_file_words(self.a.text))
        if not hits:
            return None
        return max(sorted(hits), key=lambda p: hits[p])


def audience_evidence(signals: Signals, trace: Trace, code: str, rule: Rule) -> list[Evidence]:
    """What an audience's names and values say (also used by the lexical Python 2 pass)."""
    if any(w.endswith(("get_unverified_claims", "unverified_claims")) for w in trace.words):
        # `audience=unverified["aud"]`: the token names its own audience, so none is checked
        return [
            Evidence(
                "audience-from-token",
                "note",
                0,
                f"the audience `{code}` is read from the token itself and checks nothing",
            )
        ]
    client = signals.any("client_id_names", trace.words) or signals.any(
        "client_id_values", trace.strings
    )
    client = client or signals.any("client_id_names", trace.strings)
    api = signals.any("api_audience_names", trace.all()) or signals.any(
        "api_audience_values", trace.strings
    )
    ev: list[Evidence] = []
    if client and not api:
        strength = rule.weight("audience-is-client-id", STRONG)
        ev.append(
            Evidence(
                "audience-is-client-id", "id", strength, f"the audience is a client id ({code})"
            )
        )
    elif api and not client:
        ev.append(Evidence("audience-is-api", "access", STRONG, f"the audience is an API ({code})"))
    elif api and client:
        ev.append(
            Evidence(
                "audience-unclear",
                "note",
                0,
                f"the audience mixes API and client names ({code})",
            )
        )
    else:
        ev.append(
            Evidence("audience-unknown", "note", 0, f"the audience `{code}` decides the token kind")
        )
    return ev


def key_evidence(
    signals: Signals, trace: Trace, code: str, algs: list[str], rule: Rule
) -> list[Evidence]:
    """What a key's names say: the client secret (ID tokens), the app's own secret, a JWKS."""
    ev: list[Evidence] = []
    hs = [a for a in algs if a.upper() in _HS]
    secret = signals.any("client_secret_names", trace.all())
    if secret:
        ev.append(
            Evidence(
                "key-is-client-secret",
                "id",
                STRONG,
                f"the key is the OAuth client secret ({code})",
            )
        )
    elif signals.any("app_secret_names", trace.all()):
        ev.append(
            Evidence(
                "key-is-app-secret",
                "self-issued",
                MEDIUM,
                f"the key is the app's own secret ({code})",
            )
        )
    elif signals.any("issuer_key_names", trace.all()):
        ev.append(
            Evidence("key-from-issuer", "note", 0, f"the key comes from the issuer's JWKS ({code})")
        )
    if hs and secret:
        ev.append(Evidence("hs256-client-secret", "id", WEAK, f"{hs[0]} with the client secret"))
    return ev


_ID_NAME = re.compile(r"(?<![a-z])id[ _-]?token|identity[ _-]?token", re.IGNORECASE)
_ACCESS_NAME = re.compile(r"access[ _-]?token|bearer[ _-]?token", re.IGNORECASE)
_STRING_RE = re.compile(r"""["']([^"'\n]{4,80})["']""")


def _named_kind(text: str) -> str | None:
    """'id' or 'access' when a name or message says which token it expects."""
    is_id, is_access = bool(_ID_NAME.search(text)), bool(_ACCESS_NAME.search(text))
    return "id" if is_id and not is_access else "access" if is_access and not is_id else None


_ID_WORDS = frozenset({"id", "id_token", "idtoken"})
_ACCESS_WORDS = frozenset({"access", "access_token", "accesstoken"})


def _kind_word(value: str | None) -> str | None:
    """'id' / 'access' for `"id"`, `TokenUse.ID`, `"access_token"`, ...; None otherwise."""
    if not value:
        return None
    word = value.rsplit(".", 1)[-1].lower()
    return "id" if word in _ID_WORDS else "access" if word in _ACCESS_WORDS else None


def _both_kinds(ev: list[Evidence]) -> list[Evidence]:
    """A check that lets either kind through (a branch on token_use, `aud` or `client_id`)
    accepts ID tokens: that decides it (issue 12, class 3)."""
    id_signals = ("token-use-id", "audience-is-client-id")
    id_side = next((e for e in ev if e.signal in id_signals and "checks" in e.detail), None)
    access_side = next(
        (e for e in ev if e.signal in ("token-use-access", "client-id-claim-check")), None
    )
    if id_side is None or access_side is None:
        return []
    return [
        Evidence(
            "accepts-both-kinds",
            "id",
            3 * DECISIVE,
            f"accepts ID and access tokens ({id_side.detail}; {access_side.detail}): an ID token "
            "gets in",
        )
    ]


def _narrow_audience(analysis: ModuleAnalysis, node: cst.BaseExpression) -> cst.BaseExpression:
    """`{"aud": {"essential": True, "value": CLIENT_ID}}` -> `CLIENT_ID` (authlib, joserfc)."""
    entries = analysis.dict_entries(node)
    if "aud" in entries:
        node = entries["aud"]
        entries = analysis.dict_entries(node)
    return entries.get("value") or entries.get("values") or node


def _file_words(text: str) -> list[str]:
    import re

    return re.findall(r"[A-Za-z_][A-Za-z0-9_.:/-]{3,}", text)


def _merge(a: Trace, b: Trace) -> Trace:
    return Trace(a.words + b.words, a.strings + b.strings, a.params + b.params)


def _dedupe(ev: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in ev:
        if (e.signal, e.detail) not in seen:
            seen.add((e.signal, e.detail))
            out.append(e)
    return out


_SKIP_TOKENS = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
)


def _one_line(code: str) -> str:
    """The code on one line without comments or layout: what reports show and fingerprints hash,
    so reformatting a call or editing a comment inside it changes neither."""
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(code).readline)
            if t.type not in _SKIP_TOKENS and t.type != tokenize.ENDMARKER
        ]
    except (tokenize.TokenError, SyntaxError):
        return " ".join(code.split())[:200]
    out: list[str] = []
    texts = [t.string for t in tokens]
    depth = 0
    for i, text in enumerate(texts):
        if text == "," and i + 1 < len(texts) and texts[i + 1] in ")]}":
            continue  # a trailing comma of a call laid out one argument a line
        prev = texts[i - 1] if i else ""
        before = texts[i - 2] if i > 1 else "("
        unary = prev in ("*", "**", "-", "+", "~") and (before in "([{,=:" or before == "return")
        glued = (
            i == 0
            or text in ",.:)]}"
            or prev in "([{."
            or (text in "([" and (tokens[i - 1].type == tokenize.NAME or prev in ")]"))
            or (depth > 0 and "=" in (text, prev) and "==" not in (text, prev))
            or unary
        )
        out.append(text if glued else " " + text)
        depth += text in "([{"
        depth -= text in ")]}"
    line = "".join(out)
    return line if len(line) <= 200 else line[:199] + "…"
