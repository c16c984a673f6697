"""The read API (/api/v1/): JSON for tools outside the workspace, with a bearer token.

See docs/api.md; the endpoints are described by /api/v1/openapi.json (openapi.py).
"""

from .views import bp

__all__ = ["bp"]
