"""The engine is a library: it never imports the adapters. The REST API and the web app share
``airegime.edge`` and never import each other (the web app mounts the API, nothing more), and no
two parts of the package import each other. The public API is small and pinned."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import airegime

SRC = Path(airegime.__file__).resolve().parent
ADAPTERS = (
    "airegime.cli",
    "airegime.web",
    "airegime.api",
    "airegime.edge",
    "airegime.storage",
    "airegime.render",
    "airegime.batch",
)
# Import cycles there already are, to be removed (one set of parts each); any other cycle fails the test.
KNOWN_CYCLES: list[set[str]] = []


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in ``path``, at any depth (lazy imports too); ``from a import b``
    gives both ``a`` and ``a.b``, which may be a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            yield node.lineno, module
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = ["airegime", *path.relative_to(SRC).parent.parts]
    package = package[: len(package) - node.level + 1]
    return ".".join([*package, node.module] if node.module else package)


def within(name: str, *packages: str) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in packages)


def part_of(path: Path) -> str:
    """The part of airegime a file belongs to: its subpackage, or the top-level module itself."""
    first = path.relative_to(SRC).parts[0]
    return first.removesuffix(".py")


PARTS = {part_of(path) for path in SRC.glob("*") if path.suffix == ".py" or (path / "__init__.py").is_file()}
PARTS.discard("__init__")  # the package's facade re-exports the library; importing it says nothing


def part_imports() -> dict[str, dict[str, str]]:
    """For each part of airegime, the other parts it imports, each with the first place it does."""
    graph: dict[str, dict[str, str]] = {part: {} for part in PARTS}
    for path in sorted(SRC.rglob("*.py")):
        source = part_of(path)
        if source not in PARTS:
            continue
        for line, name in imports(path):
            target = name.split(".")[1] if within(name, "airegime") and name != "airegime" else ""
            if target in PARTS and target != source:
                graph[source].setdefault(target, f"{path.relative_to(SRC)}:{line} imports {name}")
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[set[str]]:
    """The parts that import one another, directly or through others (strongly connected, Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(part: str) -> None:
        index[part] = low[part] = len(index)
        stack.append(part)
        for other in graph[part]:
            if other not in index:
                visit(other)
                low[part] = min(low[part], low[other])
            elif other in stack:
                low[part] = min(low[part], index[other])
        if low[part] == index[part]:
            component = {stack.pop()}
            while part not in component:
                component.add(stack.pop())
            if len(component) > 1:
                found.append(component)

    for part in sorted(graph):
        if part not in index:
            visit(part)
    return found


def forbidden_imports(package: str, *forbidden: str, allowed: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """Where a file of ``package`` imports one of ``forbidden`` (but for the (file, name) ``allowed``)."""
    found: dict[str, str] = {}
    for path in sorted((SRC / package).rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        for line, name in imports(path):
            if within(name, *forbidden) and (where, name) not in allowed:
                found.setdefault(f"{where}:{line}", name)
    return [f"{where} imports {name}" for where, name in found.items()]


def test_engine_and_kb_never_import_adapters() -> None:
    assert forbidden_imports("engine", *ADAPTERS) == []
    assert forbidden_imports("kb", *ADAPTERS) == []


def test_api_and_web_share_the_edge_and_web_imports_api_only_to_mount_it() -> None:
    assert forbidden_imports("api", "airegime.web") == []
    assert forbidden_imports("edge", "airegime.web", "airegime.api") == []
    mount = (("web/app.py", "airegime.api"), ("web/app.py", "airegime.api.create_api"))
    assert forbidden_imports("web", "airegime.api", allowed=mount) == []


def test_no_import_cycle_between_parts_of_the_package() -> None:
    graph = part_imports()
    found = cycles(graph)
    new = [
        "; ".join(f"{graph[a][b]}" for a in sorted(cycle) for b in sorted(graph[a]) if b in cycle)
        for cycle in found
        if cycle not in KNOWN_CYCLES
    ]
    assert new == [], "new import cycle between parts of airegime:\n" + "\n".join(new)
    gone = [cycle for cycle in KNOWN_CYCLES if cycle not in found]
    assert gone == [], "a known cycle is gone: take it off KNOWN_CYCLES"


def test_cycles_are_found() -> None:
    graph = {
        "api": {"web": "x"},
        "web": {"edge": "x", "api": "x"},
        "edge": {},
        "a": {"b": "x"},
        "b": {"c": "x"},
        "c": {"a": "x"},
    }
    assert sorted(map(sorted, cycles(graph))) == [["a", "b", "c"], ["api", "web"]]


def test_library_never_prints() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for package in ("engine", "kb")
        for path in (SRC / package).rglob("*.py")
        if any(
            isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert offenders == []


def test_public_api_is_pinned() -> None:
    assert sorted(airegime.__all__) == sorted(
        [
            "__version__",
            "AiregimeError",
            "AnswerError",
            "Assessment",
            "Change",
            "Counterfactual",
            "Dependency",
            "DescriptorError",
            "Deployment",
            "Development",
            "Explanation",
            "KnowledgeBase",
            "KnowledgeBaseError",
            "NextQuestion",
            "PhaseResult",
            "System",
            "VerificationReport",
            "counterfactuals",
            "evaluate",
            "explain",
            "load_knowledge_base",
            "load_system",
            "next_question",
            "parse_system",
            "verify",
        ]
    )
    for name in airegime.__all__:
        assert getattr(airegime, name) is not None


def test_public_functions_are_keyword_only() -> None:
    import inspect

    for name in ("evaluate", "explain", "counterfactuals", "verify", "next_question"):
        parameters = inspect.signature(getattr(airegime, name)).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters), name


def test_ci_runs_the_readme_test_command() -> None:
    root = SRC.parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "```sh\nscripts/test\n```" in readme
    assert "exec scripts/test" in (root / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_library_example_is_true() -> None:
    kb = airegime.load_knowledge_base()
    system = airegime.load_system(SRC.parent.parent / "examples" / "zone-crossing-detector.yaml", kb=kb)
    assessment = airegime.evaluate(kb=kb, system=system)
    assert [(p.name, p.status, p.outcome) for p in assessment.phases] == [
        ("development", "determined", "gdpr"),
        ("Shopping centre", "determined", "gdpr"),
        ("National police", "determined", "police_justice"),
    ]
