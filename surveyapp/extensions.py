"""Extensions, created unbound and attached in create_app()."""

from flask_babel import Babel
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
