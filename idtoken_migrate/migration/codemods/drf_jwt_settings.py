"""`drf-jwt-settings`: drf-jwt's `JWT_AUTH` hands every token to the generated verifier.

`rest_framework_jwt.authentication.JSONWebTokenAuthentication` (drf-jwt, and the
djangorestframework-jwt it forks) decodes through the setting `JWT_DECODE_HANDLER` and answers
PyJWT's errors (expired, decode error, invalid token) with 401. The codemod points that setting at
the generated `verify_token`, whose rejections subclass those errors, so the framework's own
authentication class is backed by the verifier: access tokens for the API, and legacy ID tokens
until the sunset. The entries that configured the old decode (`JWT_AUDIENCE` = the client id, the
client secret or public key, issuer, algorithm, leeway, verification switches) go: the verifier
takes its own from idtoken-migrate.yaml. Everything else stays (header prefix, username handler,
cookie). Refused with the reason: SIMPLE_JWT (djangorestframework-simplejwt has no such setting),
a `JWT_AUTH` that is not a dict literal, has `**` entries, or is changed after it is assigned.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from idtoken_migrate.migration.codemods import SiteEdit, SiteUnsafe, VerifierImport, register

HANDLER = "JWT_DECODE_HANDLER"
# What drf-jwt's default decode handler reads; the generated verifier replaces all of it.
DECODE_SETTINGS = frozenset(
    {
        "JWT_AUDIENCE",
        "JWT_ISSUER",
        "JWT_SECRET_KEY",
        "JWT_PUBLIC_KEY",
        "JWT_GET_USER_SECRET_KEY",
        "JWT_ALGORITHM",
        "JWT_LEEWAY",
        "JWT_VERIFY",
        "JWT_VERIFY_EXPIRATION",
        "JWT_INSIST_ON_KID",
    }
)


def absolute_module(verifier: VerifierImport, package: str) -> str:
    """The dotted path of the verifier module as Django's import strings name it (from the
    project's import base), for a file in `package` that imports it as `verifier`."""
    if not verifier.relative:
        return verifier.module
    parts = package.split(".") if package else []
    keep = parts[: len(parts) - (verifier.relative - 1)]
    return ".".join((*keep, verifier.module))


def decode_handler(edit: SiteEdit) -> str:
    """What `JWT_DECODE_HANDLER` becomes: the generated `verify_token`, as an import string."""
    return absolute_module(edit.verifier, edit.package) + "." + edit.verifier.name


@register("drf-jwt-settings")
def drf_jwt_settings(source: bytes, edits: Sequence[SiteEdit]) -> bytes:
    if not edits:
        return source
    try:
        wrapper = MetadataWrapper(cst.parse_module(source))
    except cst.ParserSyntaxError as error:
        raise SiteUnsafe(f"the file does not parse: {error.message}") from None
    positions = wrapper.resolve(PositionProvider)
    module = wrapper.module
    targets: dict[int, tuple[cst.Assign, str]] = {}
    for edit in edits:
        name = edit.finding.facts.qualname or ""
        if name != "JWT_AUTH":
            raise SiteUnsafe(
                f"{name or 'the setting'}: only drf-jwt's JWT_AUTH has a decode-handler setting "
                "the verifier can take over; migrate by hand"
            )
        assign = _assignment(module, positions, name, edit.finding.line)
        targets[id(assign)] = (assign, decode_handler(edit))
        _refuse_later_changes(module, assign, name)
    return module.visit(_Rewrite(targets)).bytes


def _assignment(module: cst.Module, positions: object, name: str, line: int) -> cst.Assign:
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            continue
        target = small.targets[0].target
        if not (isinstance(target, cst.Name) and target.value == name):
            continue
        if positions[statement].start.line != line:  # type: ignore[index]
            continue
        if not isinstance(small.value, cst.Dict):
            raise SiteUnsafe(f"{name} is not a dict literal; migrate by hand")
        if any(isinstance(e, cst.StarredDictElement) for e in small.value.elements):
            raise SiteUnsafe(f"{name} has `**` entries the codemod cannot see; migrate by hand")
        return small
    raise SiteUnsafe(f"no module-level `{name} = {{...}}` at line {line}")


def _refuse_later_changes(module: cst.Module, assign: cst.Assign, name: str) -> None:
    """`JWT_AUTH["JWT_AUDIENCE"] = ...` or `JWT_AUTH.update(...)` elsewhere would undo the edit."""
    found: list[cst.Name] = []

    class _Uses(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> bool:
            return node is not assign

        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                found.append(node)

    module.visit(_Uses())
    if found:
        raise SiteUnsafe(f"{name} is read or changed after it is assigned; migrate by hand")


def _key(element: cst.BaseDictElement) -> object:
    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
        return element.key.evaluated_value
    return None


class _Rewrite(cst.CSTTransformer):
    def __init__(self, targets: dict[int, tuple[cst.Assign, str]]) -> None:
        self.targets = targets

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if id(original_node) not in self.targets:
            return updated_node
        dotted = self.targets[id(original_node)][1]
        value = updated_node.value
        assert isinstance(value, cst.Dict)
        old = list(value.elements)
        # quoted as the dict's keys are (a project's quote style, e.g. flake8-quotes)
        handler = _like(old[0].key, dotted) if old else cst.SimpleString(f'"{dotted}"')
        has_handler = any(_key(e) == HANDLER for e in old)
        elements: list[cst.BaseDictElement] = []
        lbrace = value.lbrace
        placed = False
        for element in old:
            key = _key(element)
            assert isinstance(element, cst.DictElement)  # no `**` (refused before)
            if key == HANDLER:
                elements.append(element.with_changes(value=handler))
                placed = True
            elif key == "JWT_AUDIENCE" and not has_handler and not placed:
                # the audience's line becomes the handler's, without the audience's comments
                if elements and isinstance(elements[-1].comma, cst.Comma):
                    elements[-1] = _without_lines_after(elements[-1])
                elif not elements and isinstance(
                    lbrace.whitespace_after, cst.ParenthesizedWhitespace
                ):
                    lbrace = lbrace.with_changes(
                        whitespace_after=lbrace.whitespace_after.with_changes(empty_lines=[])
                    )
                elements.append(
                    element.with_changes(key=_like(element.key, HANDLER), value=handler)
                )
                placed = True
            elif key not in DECODE_SETTINGS:
                elements.append(element)
            elif isinstance(element.comma, cst.Comma):
                # a dropped entry takes its own comments (before it) along; the lines after its
                # comma lead to the next entry and stay, on what now comes before that entry
                after = element.comma.whitespace_after
                if elements and isinstance(elements[-1].comma, cst.Comma):
                    comma = elements[-1].comma.with_changes(whitespace_after=after)
                    elements[-1] = elements[-1].with_changes(comma=comma)
                elif not elements:
                    lbrace = lbrace.with_changes(whitespace_after=after)
        if not placed:  # the scan flags JWT_AUTH for its audience: never reached from a plan
            raise SiteUnsafe("JWT_AUTH has no JWT_AUDIENCE entry to replace; migrate by hand")
        # entries are only dropped, never moved: the last one left ends as the old last one did
        elements[-1] = elements[-1].with_changes(comma=old[-1].comma)
        return updated_node.with_changes(value=value.with_changes(elements=elements, lbrace=lbrace))


def _without_lines_after(element: cst.DictElement) -> cst.DictElement:
    """`element` without the comment lines after its comma (they led to the next entry)."""
    comma = element.comma
    assert isinstance(comma, cst.Comma)
    if not isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return element
    after = comma.whitespace_after.with_changes(empty_lines=[])
    return element.with_changes(comma=comma.with_changes(whitespace_after=after))


def _like(key: cst.BaseExpression, text: str) -> cst.SimpleString:
    """A string literal for `text` quoted as `key` is."""
    quote = key.value[0] if isinstance(key, cst.SimpleString) and key.value[:1] in "'\"" else '"'
    return cst.SimpleString(f"{quote}{text}{quote}")
