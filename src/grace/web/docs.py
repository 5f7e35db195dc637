"""``/api/docs``: Swagger UI for the OpenAPI document, served entirely by grace.

FastAPI's built-in page loads Swagger UI from a CDN, which breaks the promise that nothing
calls out (and leaks that a desk is being used). The assets come from the ``swagger-ui-py``
package instead (Swagger UI 5, which reads OpenAPI 3.1), mounted under
``/api/docs/assets``; the start-up script is the desk's own static file, so the page needs
no inline script and keeps the desk's Content-Security-Policy. The validator badge, which
would contact swagger.io, is switched off there.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/api/docs"
ASSETS_URL = "/api/docs/assets"
PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>grace analyst desk API</title>
<link rel="stylesheet" href="{ASSETS_URL}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{ASSETS_URL}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""


def swagger_assets() -> Path:
    """The folder of Swagger UI's files inside the installed ``swagger-ui-py`` package
    (located without importing it: only its static files are used)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: reinstall grace")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def install_docs(app: FastAPI) -> None:
    """The docs page and its assets (neither appears in the OpenAPI document)."""
    app.mount(ASSETS_URL, StaticFiles(directory=swagger_assets()), name="api-docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(PAGE)
