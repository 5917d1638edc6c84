"""The REST API (FastAPI sub-application): ``create_api(repository=, kb=)``, mounted under /api/v1."""

from airegime.api.app import create_api

__all__ = ["create_api"]
