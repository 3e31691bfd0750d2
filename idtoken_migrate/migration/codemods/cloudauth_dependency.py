"""`replace-cloudauth-dependency`: fastapi-cloudauth's `*CurrentUser` dependency becomes a
dependency function of the same name that checks the bearer with the generated verifier.

`get_current_user = CognitoCurrentUser(region=..., userPoolId=..., client_id=...)` verifies ID
tokens; the routes say `user: CognitoClaims = Depends(get_current_user)`. The assignment becomes
`def get_current_user(...) -> CognitoClaims`, which reads the `Authorization: Bearer` header,
calls `verify_token` (its claim map gives the access token's claims the names the model reads,
`cognito:username` from `username`) and returns the same claims model, so every
`Depends(get_current_user)`, here or in a module that imports it, keeps its meaning. One
written inline, `Depends(CognitoCurrentUser(...))`, becomes `Depends(cognito_current_user)`, a
function made above its statement. A missing or rejected token is the verifier's 401
(`http_error`), claims the model cannot take a 401 as fastapi-cloudauth answered. Rule param
`models` maps each dependency class to its claims model
(`CognitoCurrentUser=fastapi_cloudauth.cognito.CognitoClaims, ...`). The site is refused when
the object is used otherwise than by `Depends(...)` (`.claim(Model)`, `.user_info = ...`, a
manual `await dep(credentials)`), built inside a function, or given `user_info=` / `auto_error=`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import libcst as cst
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import (
    GlobalScope,
    QualifiedNameProvider,
    Scope,
)

from idtoken_migrate.migration.codemods import Migrated, SiteEdit, SiteUnsafe, register
from idtoken_migrate.migration.codemods.imports import add_import
from idtoken_migrate.migration.codemods.replace_verifier_object import _construction
from idtoken_migrate.migration.codemods.replace_verify_call import (
    _callee_name,
    _Edit,
    _ReplaceVerifyCall,
    _Site,
    run_command,
)

_DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends"})
_REFUSED_KEYWORDS = {
    "user_info": "a custom claims model whose fields name ID-token claims",
    "auto_error": "auto_error changes what a missing token gives the route",
}
_TEMPLATE = '''
def {name}(
    credentials: fastapi.security.HTTPAuthorizationCredentials = fastapi.Depends(
        fastapi.security.HTTPBearer(auto_error=False)
    ),
) -> {model}:
    """The caller's claims as {model}, the bearer token checked by the generated verifier
    (idtoken-migrate replaced fastapi-cloudauth's {cls} here: it took ID tokens)."""
    rejected = None
    if credentials is not None:
        try:
            return {model}(**verify_token(credentials.credentials))
        except TokenRejected as error:
            rejected = error
        except pydantic.ValidationError:
            detail = "the token lacks claims of {model}"
            raise fastapi.HTTPException(401, detail=detail) from None
    status, headers, body = http_error(rejected)
    raise fastapi.HTTPException(status, detail=body, headers=headers)
'''


@register("replace-cloudauth-dependency")
def replace_cloudauth_dependency(source: bytes, edits: Sequence[SiteEdit]) -> Migrated:
    """The file with each `*CurrentUser` dependency of `edits` replaced, or SiteUnsafe."""
    return run_command(_ReplaceDependency, source, edits)


class _ReplaceDependency(_ReplaceVerifyCall):
    DESCRIPTION = "Replace a fastapi-cloudauth *CurrentUser dependency with the generated verifier."

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        positions, parents, scopes = self.resolved()
        module_scope = scopes.get(tree)
        replace: dict[int, cst.CSTNode] = {}
        inline: dict[str, str] = {}  # class -> the function made for its inline uses
        inserts: list[tuple[int, cst.BaseStatement]] = []
        for edit in self.edits:
            site = _Site(edit, tree, positions, parents, scopes)
            cls = _callee_name(site.call.func)
            for arg in site.call.args:
                keyword = arg.keyword.value if arg.keyword else ""
                if keyword in _REFUSED_KEYWORDS:
                    raise SiteUnsafe(f"`{keyword}=` is passed: {_REFUSED_KEYWORDS[keyword]}")
            if self._in_depends(site.call, parents):  # Depends(CognitoCurrentUser(...))
                name = inline.get(cls) or _free_name(
                    _snake(cls), module_scope, list(inline.values())
                )
                if cls not in inline:
                    inline[cls] = name
                    model = self._model(edit, cls, module_scope)
                    top = _top_statement(site.call, parents)
                    inserts.append((tree.body.index(top), _function(name, model, cls, [])))
                replace[id(site.call)] = cst.Name(name)
                self._schedule_import_removal(module_scope, site.call)
                continue
            binding = _construction(site, site.call)
            if not isinstance(binding.scope, GlobalScope):
                raise SiteUnsafe(
                    f"the {cls} dependency is built inside a function; move it to module level"
                )
            for assignment in binding.scope.assignments[binding.name]:
                for access in assignment.references:
                    if not self._in_depends(access.node, parents):
                        line = positions[access.node].start.line
                        raise SiteUnsafe(
                            f"`{binding.name}` is used otherwise than by Depends() at line "
                            f"{line}; the generated dependency has only that use"
                        )
            model = self._model(edit, cls, module_scope)
            assert binding.statement is not None
            comments = [line for line in binding.statement.leading_lines if line.comment]
            replace[id(binding.statement)] = _function(binding.name, model, cls, comments)
            self._schedule_import_removal(module_scope, binding.statement)
        verifier = self.edit.verifier
        statement = cst.parse_statement(
            f"from {'.' * verifier.relative}{verifier.module} import "
            f"TokenRejected, http_error, {verifier.name}\n"
        )
        assert isinstance(statement, cst.SimpleStatementLine)
        self.import_statement = statement
        edited = tree.visit(_Edit(replace, set()))
        body = list(edited.body)
        for index, function in sorted(inserts, key=lambda pair: -pair[0]):
            body.insert(index, function)
        return edited.with_changes(body=_spaced(body))

    def transform_module(self, tree: cst.Module) -> cst.Module:
        edited = super().transform_module(tree)
        for line in ("import fastapi.security\n", "import pydantic\n"):
            statement = cst.parse_statement(line)
            assert isinstance(statement, cst.SimpleStatementLine)
            edited = add_import(edited, statement, self.edit.first_party)
        return edited

    def _in_depends(self, node: cst.CSTNode, parents: dict) -> bool:
        arg = parents.get(node)
        call = parents.get(arg)
        if not isinstance(arg, cst.Arg) or not isinstance(call, cst.Call):
            return False
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, call.func, set())}
        return bool(names & _DEPENDS)

    def _model(self, edit: SiteEdit, cls: str, module_scope: Scope | None) -> str:
        """The local name of `cls`'s claims model, imported when the module lacks it."""
        models = dict(pair.partition("=")[::2] for pair in edit.param_list("models"))
        qualified = models.get(cls, "").strip()
        if not qualified:
            raise SiteUnsafe(f"the rule pack names no claims model for {cls}")
        module, _, name = qualified.rpartition(".")
        if module_scope is not None and name in module_scope:
            for assignment in module_scope[name]:
                node = getattr(assignment, "node", None)
                if not isinstance(node, cst.ImportFrom):
                    raise SiteUnsafe(f"`{name}` names something else in this module")
            return name
        AddImportsVisitor.add_needed_import(self.context, module, name)
        return name


def _spaced(body: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """Two blank lines after each top-level function, before what follows it (PEP 8)."""
    for index in range(1, len(body)):
        if isinstance(body[index - 1], cst.FunctionDef):
            statement = body[index]
            blank = 0
            for line in statement.leading_lines:
                if line.comment:
                    break
                blank += 1
            if blank < 2:
                extra = [cst.EmptyLine()] * (2 - blank)
                body[index] = statement.with_changes(
                    leading_lines=[*extra, *statement.leading_lines]
                )
    return body


def _function(name: str, model: str, cls: str, comments: list[cst.EmptyLine]) -> cst.BaseStatement:
    function = cst.parse_statement(_TEMPLATE.format(name=name, model=model, cls=cls))
    return function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine(), *comments])


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _free_name(wanted: str, module_scope: Scope | None, taken: Collection[str]) -> str:
    name, number = wanted, 1
    while (module_scope is not None and name in module_scope) or name in taken:
        number += 1
        name = f"{wanted}_{number}"
    return name


def _top_statement(node: cst.CSTNode, parents: dict) -> cst.CSTNode:
    parent = parents.get(node)
    while not isinstance(parent, cst.Module):
        node, parent = parent, parents.get(parent)
    return node
