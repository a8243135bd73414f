"""Finsam Ansökan: applications for funds and board decisions in a samordningsförbund."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from .config import check_production_config, load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    check_production_config(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_extensions(app)
    from .core.routing import register_converters

    register_converters(app)  # before the blueprints: their <int:…> are then bounded
    register_blueprints(app)
    register_archive_contributors()
    register_outbox()
    register_page_extras()
    register_template_helpers(app)
    register_security_headers(app)
    register_cli(app)
    from .core.errorpages import register_error_handlers

    register_error_handlers(app)
    from .core import transaction

    transaction.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every model, for Alembic and relationships)
    from .core.database import configure_engine_events
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logga in för att se sidan."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    with app.app_context():
        configure_engine_events(db.engine)

    from . import figures

    figures.init_app(app)

    from .core import storage

    storage.init_app(app)

    from .accounts import guard, oidc
    from .accounts.services import load_user

    login_manager.user_loader(load_user)
    guard.init_app(app)
    oidc.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .accounts.admin_routes import bp as admin_bp
    from .accounts.routes import bp as auth_bp
    from .applications.attachment_routes import bp as attachments_bp
    from .applications.pdf_routes import bp as application_pdf_bp
    from .applications.routes import bp as applications_bp
    from .budget.routes import bp as budget_bp
    from .exports.routes import bp as exports_bp
    from .followup.routes import bp as followup_bp
    from .followup.routes import lists_bp as followup_lists_bp
    from .main.routes import bp as main_bp
    from .meetings.delegation_routes import bp as delegation_bp
    from .meetings.delegation_routes import case_bp as delegation_case_bp
    from .meetings.routes import anslag_bp, decisions_bp
    from .meetings.routes import bp as meetings_bp
    from .notifications.routes import bp as notifications_bp
    from .review.routes import bp as review_bp
    from .statistics.routes import bp as statistics_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(application_pdf_bp)
    app.register_blueprint(budget_bp)
    app.register_blueprint(followup_bp)
    app.register_blueprint(followup_lists_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(decisions_bp)
    app.register_blueprint(anslag_bp)
    app.register_blueprint(delegation_bp)
    app.register_blueprint(delegation_case_bp)
    app.register_blueprint(statistics_bp)
    app.register_blueprint(exports_bp)


def register_archive_contributors() -> None:
    """What the yearly archive holds: each area adds its documents (core/archive.py); the
    archive is built as a background job (core/jobs.py)."""
    from .exports.archive import register_contributors, register_job

    register_contributors()
    register_job()


def register_outbox() -> None:
    """Areas below notifications queue e-mail through core/outbox.py."""
    from .notifications.services import register_outbox

    register_outbox()


def register_page_extras() -> None:
    """What the read models add to an application's pages (applications/overview_parts.py)."""
    from .worklist import case

    case.register()


def register_template_helpers(app: Flask) -> None:
    from .accounts.services import current_forbund
    from .core import forms, templating
    from .review.history import describe

    templating.init_app(app)
    forms.init_app(app)
    app.jinja_env.filters["event_text"] = describe

    @app.context_processor
    def _forbund():
        return {"forbund": current_forbund()}


def register_security_headers(app: Flask) -> None:
    from .core.security import init_app

    init_app(app)


def register_cli(app: Flask) -> None:
    from .cli import register

    register(app)
