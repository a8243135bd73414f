"""Names vulture cannot see being used (`make lint`): read by a library, not by our code.

Keep it short. Model columns are the schema (`flask db check` keeps them honest), so
models.py files are not scanned; the columns below are written by services and read by
templates or the database only. Templates' names come from `.ci/template_names.py`.
"""

# ruff: noqa
_ = object()
# Flask-Login, Jinja and SQLite settings, read by the library
_.login_view, _.login_message, _.login_message_category, _.session_protection
_.trim_blocks, _.lstrip_blocks, _.isolation_level
# openpyxl cell and table settings
_.alignment, _.ref
# core.transaction marks the request for its teardown
_.transaction_rolled_back, _.transaction_keep
# who decided, signed or resolved: written for the record, read by the archive and audits
_.submitted_by_id, _.decided_by_id, _.signed_by_id, _.resolved_by_id, _.last_login_at, _.updated_by_id
# who asked for a background job (core/jobs.py, read through the relationship)
_.requested_by_id
# the column type of every amount (used by the models)
_.Money
# WTForms reads Meta.locales (core/forms.init_app sets Swedish for every form)
_.locales
