"""WSGI entry point: ``gunicorn wsgi:app``."""

from finsam_ansokan import create_app

app = create_app()
