"""What the accounts tests share besides fixtures: the organisations made, a logged-in browser."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient
from httpx2 import Response

from airegime.web.security import CSRF_COOKIE

PASSWORD = "correct horse battery"
SECRET = "SECRET-NAME-OF-A"  # in Org A's assessment: must never appear in an answer to Org B


@dataclass
class Org:
    id: int
    name: str
    assessment: int
    context: int
    token: str  # an admin's API token


class Browser(TestClient):
    """A browser: keeps cookies, and sends its CSRF token with every form."""

    def login(self, username: str, password: str = PASSWORD) -> None:
        fields = {"csrf_token": self.csrf, "username": username, "password": password, "next": "/"}
        response = self.post("/login", data=fields)
        assert response.status_code == 303, response.text

    def form(self, path: str, data: dict[str, str] | None = None) -> Response:
        return self.post(path, data={"csrf_token": self.csrf, **(data or {})})

    @property
    def csrf(self) -> str:
        if CSRF_COOKIE not in self.cookies:
            self.get("/login")
        return str(self.cookies[CSRF_COOKIE])
