"""`okta-ir build`: every generated file of the repository, from one registry of generators.

A generator takes the :class:`BuildContext` and returns ``{path relative to the repo root: content}``.
To add one, append it to :data:`GENERATORS` (``default_conf(f)`` adapts a no-argument generator that
returns names under ``addon/package/default/``). ``build(check=True)`` writes nothing and reports the
files whose committed content differs from what the sources generate (the drift test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sigma.collection import SigmaCollection

from detections.rules import DEFAULT_RULES_DIR, AnyRule, load_rules
from detections.splunk import CompiledRule, compile_rules, macros_conf, savedsearches_conf

__all__ = ["GENERATORS", "REPO_ROOT", "BuildContext", "BuildResult", "build", "default_conf"]

REPO_ROOT = DEFAULT_RULES_DIR.parent
DEFAULT_DIR = "addon/package/default"


@dataclass
class BuildContext:
    """What generators read: the repo root, the rules, and their compiled saved searches."""

    root: Path
    rules: SigmaCollection
    _compiled: list[CompiledRule] | None = field(default=None, repr=False)

    @property
    def compiled(self) -> list[CompiledRule]:
        """The saved searches of the rules (compiled once, strictly)."""
        if self._compiled is None:
            self._compiled = compile_rules(self.rules)[0]
        return self._compiled

    def compile_search(self, rule: AnyRule) -> str:
        """The SPL of the saved search of ``rule`` (matched by title)."""
        title = rule.title or str(rule.id)
        for item in self.compiled:
            if item.title == title:
                return item.settings["search"]
        raise KeyError(f"no saved search for rule {title!r} (a generate:false base rule?)")


Generator = Callable[[BuildContext], dict[str, str]]


def splunk_searches(context: BuildContext) -> dict[str, str]:
    """savedsearches.conf and macros.conf from the Sigma rules."""
    return {
        f"{DEFAULT_DIR}/savedsearches.conf": savedsearches_conf(context.compiled),
        f"{DEFAULT_DIR}/macros.conf": macros_conf(context.compiled),
    }


def default_conf(generate: Callable[[], dict[str, str]]) -> Generator:
    """Adapt a no-argument generator of ``{name under addon/package/default/: content}``."""

    def generator(context: BuildContext) -> dict[str, str]:
        return {f"{DEFAULT_DIR}/{name}": content for name, content in generate().items()}

    generator.__name__ = getattr(generate, "__name__", "default_conf")
    return generator


#: The build, in order. Others append their generators here.
GENERATORS: tuple[Generator, ...] = (
    splunk_searches,
    default_conf(__import__("detections.props", fromlist=["generate"]).generate),  # props/eventtypes/tags
    __import__("detections.dashboards", fromlist=["dashboard_views"]).dashboard_views,  # the four app views
)


@dataclass
class BuildResult:
    """Files written (build) or found different/missing (check), relative to the root."""

    written: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)


def build(
    root: Path = REPO_ROOT,
    rules_dir: Path | None = None,
    check: bool = False,
    generators: tuple[Generator, ...] | None = None,
) -> BuildResult:
    """Run every generator; write the files, or with ``check`` only compare them."""
    rules = load_rules(rules_dir or root / "sigma-rules")
    context = BuildContext(root=Path(root), rules=rules)
    outputs: dict[str, str] = {}
    for generator in generators if generators is not None else GENERATORS:
        for rel, content in generator(context).items():
            if rel in outputs:
                raise ValueError(f"two generators write {rel}")
            outputs[rel] = content
    result = BuildResult()
    for rel, content in outputs.items():
        path = Path(root) / rel
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == content:
            continue
        if check:
            result.drifted.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
        result.written.append(rel)
    return result
