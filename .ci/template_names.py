"""Print every identifier the Jinja templates use, as Python, for vulture (`make lint`).

Vulture reads only Python; a property or function that only a template calls would look
dead. This turns `{{ row.remaining|money }}` into `remaining` and `money`, so the dead-code
check sees what the templates use.
"""

import keyword
import pathlib
import re

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
names: set[str] = set()
for path in pathlib.Path("templates").rglob("*.html"):
    for block in re.findall(r"\{[{%](.*?)[%}]\}", path.read_text(encoding="utf-8"), re.S):
        names.update(IDENTIFIER.findall(block))
for name in sorted(names - set(keyword.kwlist)):
    print(f"_.{name}")
