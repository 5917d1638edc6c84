"""The engine is a library: it never imports the adapters. The public API is small and pinned."""

from __future__ import annotations

import ast
from pathlib import Path

import airegime

SRC = Path(airegime.__file__).resolve().parent
ADAPTERS = ("airegime.cli", "airegime.web", "airegime.storage", "airegime.render", "airegime.batch")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_and_kb_never_import_adapters() -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for package in ("engine", "kb")
        for path in (SRC / package).rglob("*.py")
        for name in imported_modules(path)
        if name.startswith(ADAPTERS)
    ]
    assert offenders == []


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
