"""The web app: ``create_app()`` gives a FastAPI application; ``airegime serve`` runs it."""
