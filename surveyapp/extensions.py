"""Extensions, created unbound and attached in create_app()."""

from typing import Any

from flask import current_app, g, request
from flask_babel import Babel
from flask_wtf import CSRFProtect

from .forms.dynamic import is_token_signed_here


class RememberingCSRFProtect(CSRFProtect):  # type: ignore[misc]  # flask_wtf is untyped
    """CSRFProtect that accepts a form token this process signed for the session's raw
    token without checking its signature again (a few percent of a page save,
    benchmarks/load); every other token gets flask_wtf's own checks."""

    def protect(self, apply_exemptions: bool = False) -> Any:
        config = current_app.config
        exempt = apply_exemptions and (not request.endpoint or self._is_exempt())
        if (
            not exempt
            and request.method in config["WTF_CSRF_METHODS"]
            and not (request.is_secure and config["WTF_CSRF_SSL_STRICT"])
            and is_token_signed_here(self._get_csrf_token(), config["WTF_CSRF_FIELD_NAME"])
        ):
            g.csrf_valid = True
            return None
        return super().protect(apply_exemptions)


babel = Babel()
csrf = RememberingCSRFProtect()
