"""Static checks of a template source: syntax, allowed constructs, names."""

from __future__ import annotations

import difflib
import re
import traceback
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser

from templates_app.errors import Problem, TemplateInvalid
from templates_app.rendering.environment import ENVIRONMENTS, ReplyEnvironment
from templates_app.rendering.values import BODY_LIMITS, Limits
from templates_app.variables import (
    ASK_PREFIX,
    GROUPS,
    KNOWN_NAMES,
    is_known,
)

ALLOWED_FILTERS = (
    "default",
    "d",
    "first_name",
    "date",
    "datetime",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "truncate",
    "join",
    "length",
    "count",
    "first",
    "last",
    "round",
    "int",
    "abs",
    "string",
)
FORBIDDEN_STATEMENTS: dict[type[nodes.Node], str] = {
    nodes.Extends: "extends",
    nodes.Block: "block",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from ... import",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
    nodes.FilterBlock: "filter",
    nodes.With: "with",
    nodes.Assign: "set",
    nodes.AssignBlock: "set",
    nodes.ScopedEvalContextModifier: "autoescape",
    nodes.EvalContextModifier: "autoescape",
    nodes.ExprStmt: "do",
}
# Names the template itself binds or that the engine provides.
BUILTIN_NAMES = frozenset({"loop", "range"})

# --------------------------------------------------------------------------
# Static checks.


@dataclass(frozen=True)
class TemplateInfo:
    """What a valid template uses: variable paths and `ask` names, in order."""

    variables: tuple[str, ...]
    ask: tuple[str, ...]


def normalise_source(source: str) -> str:
    return (source or "").replace("\r\n", "\n").replace("\r", "\n")


def column_of(source: str, line: int | None, needle: str | None) -> int | None:
    if line is None:
        return None
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    for candidate in (needle, "{{", "{%"):
        if candidate and (found := text.find(candidate)) >= 0:
            return found + 1
    return 1


def _offset_to_column(source: str, offset: int) -> int:
    return offset - (source.rfind("\n", 0, offset) + 1) + 1


def _dotted(node: nodes.Node) -> tuple[str, nodes.Name] | None:
    """`customer.attributes["plan"]` -> ("customer.attributes.plan", root)."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if not isinstance(node.arg.value, str):
                return None
            parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            parts.append(node.name)
            return ".".join(reversed(parts)), node
        else:
            return None


class _Checker:
    def __init__(self, source: str, limits: Limits) -> None:
        self.source = source
        self.limits = limits
        self.problems: list[Problem] = []
        self.variables: dict[str, None] = {}
        self.ask: dict[str, None] = {}
        self.local_names: set[str] = set()

    def problem(
        self, message: str, node: nodes.Node, needle: str | None = None
    ) -> None:
        line = getattr(node, "lineno", None)
        self.problems.append(
            Problem(message, line, column_of(self.source, line, needle))
        )

    def run(self, tree: nodes.Template) -> None:
        for loop in tree.find_all(nodes.For):
            for name in [loop.target, *loop.target.find_all(nodes.Name)]:
                if isinstance(name, nodes.Name):
                    self.local_names.add(name.name)
        self.visit(tree, depth=0, loops=0)

    def visit(self, node: nodes.Node, *, depth: int, loops: int) -> None:
        if depth > self.limits.max_nesting:
            self.problem(
                f"The template nests deeper than {self.limits.max_nesting} levels.",
                node,
            )
            return
        if type(node) in FORBIDDEN_STATEMENTS:
            tag = FORBIDDEN_STATEMENTS[type(node)]
            self.problem(
                f"'{{% {tag} %}}' is not allowed in canned replies.", node, tag
            )
            return
        if isinstance(node, nodes.For):
            loops += 1
            if node.recursive:
                self.problem("Recursive loops are not allowed.", node, "recursive")
            if loops > self.limits.max_loop_depth:
                self.problem(
                    f"Loops may be nested at most {self.limits.max_loop_depth} deep.",
                    node,
                    "for",
                )
        elif isinstance(node, nodes.Call):
            if not (
                isinstance(node.node, nodes.Name)
                and node.node.name == "range"
                and not node.kwargs
                and node.dyn_args is None
                and node.dyn_kwargs is None
            ):
                self.problem(
                    "Calling functions or methods is not allowed; use a filter "
                    "instead (e.g. `| upper`).",
                    node,
                    "(",
                )
                return
        elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            reason = (
                " (it would skip HTML escaping)" if node.name in ("safe", "e") else ""
            )
            self.problem(
                f"Filter '{node.name}' is not allowed{reason}. Allowed filters: "
                + ", ".join(sorted(set(ALLOWED_FILTERS))),
                node,
                node.name,
            )
        elif (
            isinstance(node, nodes.Test) and node.name not in ENVIRONMENTS[False].tests
        ):
            self.problem(f"Unknown test '{node.name}'.", node, node.name)
        if isinstance(
            node, nodes.Getattr | nodes.Getitem | nodes.Name
        ) and self.check_reference(node):
            return
        for child in node.iter_child_nodes():
            self.visit(child, depth=depth + 1, loops=loops)

    def check_reference(self, node: nodes.Node) -> bool:
        """Checks a dotted name; True when the whole chain was handled."""
        private = [
            part
            for part in _private_parts(node)
            if part.startswith("_") or part in ("mro", "format", "format_map")
        ]
        if private:
            self.problem(
                f"Access to '{private[0]}' is not allowed in canned replies.",
                node,
                private[0],
            )
            return True
        dotted = _dotted(node)
        if dotted is None:
            return False
        path, root = dotted
        if root.ctx != "load" or root.name in self.local_names:
            return True
        if root.name in BUILTIN_NAMES:
            return True
        if path in GROUPS:
            hint = sorted(name for name in KNOWN_NAMES if name.startswith(path + "."))
            example = hint[0] if hint else f"{path}.order_number"
            self.problem(
                f"'{path}' is a group of values; use one of them, e.g. {example}.",
                node,
                path,
            )
            return True
        if not is_known(path):
            self.problem(_unknown_message(path), node, path)
            return True
        self.variables.setdefault(path, None)
        if path.startswith(ASK_PREFIX):
            self.ask.setdefault(path.removeprefix(ASK_PREFIX), None)
        return True


def _private_parts(node: nodes.Node) -> list[str]:
    parts: list[str] = []
    for item in [node, *node.find_all((nodes.Getattr, nodes.Getitem, nodes.Name))]:
        if isinstance(item, nodes.Getattr):
            parts.append(item.attr)
        elif isinstance(item, nodes.Getitem) and isinstance(item.arg, nodes.Const):
            parts.append(str(item.arg.value))
        elif isinstance(item, nodes.Name):
            parts.append(item.name)
    return parts


def _unknown_message(path: str) -> str:
    if path.startswith(ASK_PREFIX):
        return (
            f"'{path}' is not a valid ask name: use lower-case letters, digits "
            f"and underscores, starting with a letter (e.g. ask.order_number)."
        )
    close = difflib.get_close_matches(path, sorted(KNOWN_NAMES), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown variable '{path}'.{hint}"


def _syntax_problem(
    source: str, exc: TemplateSyntaxError, parser: Parser | None
) -> Problem:
    message = exc.message or "Syntax error"
    # Lexer messages end in " at <offset>"; the recorder knows better.
    message = re.sub(r" at \d+$", "", message)
    if parser is not None and (recorder := getattr(parser.stream, "recorder", None)):
        frames = traceback.extract_tb(exc.__traceback__)
        if any(frame.name == "tokeniter" for frame in frames):
            offset = recorder.pos
            while offset < len(source) and source[offset].isspace():
                offset += 1
        elif parser.stream.current.type == "eof":
            offset = (
                recorder.open_blocks[-1]
                if recorder.open_blocks
                else recorder.last_opener
            )
        else:
            offset = recorder.offset_of(parser.stream.current)
            if offset is None:
                offset = recorder.last_offset
        offset = min(offset, max(len(source) - 1, 0))
        column = _offset_to_column(source, offset)
        line = source.count("\n", 0, offset) + 1
        return Problem(capitalise(message), line, column)
    return Problem(capitalise(message), exc.lineno, 1)


def capitalise(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message


def parse_source(source: str, env: ReplyEnvironment) -> nodes.Template:
    parser: Parser | None = None
    try:
        parser = Parser(env, source)
        return parser.parse()
    except TemplateSyntaxError as exc:
        raise TemplateInvalid([_syntax_problem(source, exc, parser)]) from exc
    except RecursionError as exc:
        raise TemplateInvalid(
            [Problem("The template nests too deeply to read.", 1, 1)]
        ) from exc


@lru_cache(maxsize=512)
def inspect_template(source: str, limits: Limits = BODY_LIMITS) -> TemplateInfo:
    """Static check of a source: syntax, allowed constructs, known names.

    Raises TemplateInvalid listing every problem with its line and column.
    """
    source = normalise_source(source)
    if len(source) > limits.max_source_chars:
        raise TemplateInvalid(
            [
                Problem(
                    f"The template is {len(source)} characters long; the limit "
                    f"is {limits.max_source_chars}."
                )
            ]
        )
    tree = parse_source(source, ENVIRONMENTS[False])
    checker = _Checker(source, limits)
    checker.run(tree)
    if checker.problems:
        raise TemplateInvalid(checker.problems)
    return TemplateInfo(tuple(checker.variables), tuple(checker.ask))
