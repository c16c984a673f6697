"""Production entry point: `gunicorn wsgi:app` (refuses to start without SECRET_KEY)."""

from surveyapp import create_app

app = create_app()
