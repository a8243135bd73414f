"""E-mail messages rendered from templates: ``templates/email/<name>.txt`` and ``.html``.

Each message is two templates that extend ``email/_base.txt`` and ``email/_base.html``:

- the ``.txt`` template holds ``{% block subject %}`` (one line: line breaks a title may
  hold become spaces) and ``{% block body %}``, the plain-text part;
- the ``.html`` template holds ``{% block body %}``, the HTML part (autoescaped: a title or
  a comment can never add markup).

Both bases add the förbund's name, the link to what the message is about and the
signature, so every message carries them. A template receives only what the service
passes: nothing reads the database behind its back, and no service passes an internal
note. The link is built from the URL map, so rendering works in a request and in
``flask mail send`` / ``reminders send`` alike (no request there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app

from finsam_ansokan.accounts.forbund import current_forbund

_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def url(endpoint: str, **values: Any) -> str:
    """An absolute address on this site for an e-mail (``PUBLIC_BASE_URL`` + the path)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def one_line(text: str) -> str:
    """``text`` as one line: every run of white space (line breaks too) one space."""
    return " ".join(text.split())


def case_name(application: Any) -> str:
    """The case as a message names it: its title and diarienummer, on one line."""
    number = f" ({application.diarienummer})" if application.diarienummer else ""
    return one_line(f"{application.display_title}{number}")


def render(name: str, *, link: str, link_text: str, **context: Any) -> Message:
    """The subject and both parts of message ``name`` (``templates/email/<name>.*``).
    With an ``application`` in the context the templates also get ``case``, its name."""
    forbund = current_forbund()
    application = context.get("application")
    context = {
        **context,
        "case": case_name(application) if application is not None else "",
        "forbund_name": forbund.name if forbund is not None else "Samordningsförbundet",
        "link": link,
        "link_text": link_text,
        "settings_link": url("notifications.settings"),
    }
    env = current_app.jinja_env
    text_template = env.get_template(f"email/{name}.txt")
    subject = one_line("".join(text_template.blocks["subject"](text_template.new_context(context))))
    context["subject"] = subject
    text = _BLANK_LINES.sub("\n\n", text_template.render(context)).strip() + "\n"
    html = env.get_template(f"email/{name}.html").render(context)
    return Message(subject=subject, text=text, html=html)
