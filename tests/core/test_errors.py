"""One error hierarchy: every exception airegime raises on purpose derives from AiregimeError and is
defined in airegime.errors, whose docstring draws the tree. The only others are private ones caught
where they are raised, and HTTP exceptions the web framework itself turns into responses."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import airegime
from airegime import errors
from airegime.errors import AiregimeError


def project_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module_info in pkgutil.walk_packages(airegime.__path__, "airegime."):
        if module_info.name == "airegime.__main__" or ".migrations." in module_info.name:  # run when imported
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = value
    return found


def is_http_response(cls: type[BaseException]) -> bool:
    from starlette.exceptions import HTTPException

    return issubclass(cls, HTTPException)


def test_every_public_exception_is_in_the_one_hierarchy() -> None:
    strays = [
        where
        for where, cls in project_exceptions().items()
        if not cls.__name__.startswith("_") and not is_http_response(cls) and cls.__module__ != "airegime.errors"
    ]
    assert strays == [], "define these in airegime/errors.py, under AiregimeError"
    outside = [
        where
        for where, cls in project_exceptions().items()
        if where.startswith("airegime.errors.") and not issubclass(cls, AiregimeError)
    ]
    assert outside == []


def test_the_docstring_draws_every_error_of_the_tree() -> None:
    defined = [name for name, cls in vars(errors).items() if inspect.isclass(cls) and issubclass(cls, AiregimeError)]
    assert errors.__doc__ is not None
    assert [name for name in defined if name not in errors.__doc__] == []
