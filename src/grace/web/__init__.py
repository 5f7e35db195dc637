"""The analyst web UI and the REST API, served by FastAPI (loopback by default)."""

from grace.web.app import create_app

__all__ = ["create_app"]
