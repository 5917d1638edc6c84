"""What the API tests share besides fixtures: the client type, the mounted app, the error check."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from airegime.storage import Repository
from airegime.web.app import create_app

EXAMPLES = Path(__file__).parents[2] / "examples"
MOUNT = "/api/v1"
STRESS = Path(__file__).parents[2] / "stress"


def mounted_app(repository: Repository) -> FastAPI:
    """The web app, which mounts the API at MOUNT."""
    return create_app(repository=repository, kb=repository.kb)


class Api(TestClient):
    """A client whose paths are the API's own (/evaluate…), wherever the API is mounted."""

    prefix = ""

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(url, str) and url.startswith("/"):
            url = self.prefix + url
        return super().request(method, url, *args, **kwargs)


def assert_error(response: Any, status: int, code: str, where: str | None = None) -> dict[str, Any]:
    """The one error shape: {"error": {"code", "message", "where", "hint"}}, nothing else."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    listing = {"count", "problems"} if error.get("code") == "invalid_descriptor" else set()
    assert set(error) == {"code", "message", "where", "hint"} | listing
    assert error["code"] == code, error
    assert error["message"]
    if where is not None:
        assert error["where"] == where, error
    assert "Traceback" not in response.text
    return error


def stress_module(name: str) -> ModuleType:
    """stress/<name>.py, imported."""
    sys.path.insert(0, str(STRESS))
    spec = importlib.util.spec_from_file_location(f"stress_{name}", STRESS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
