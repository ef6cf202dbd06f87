"""The site's Content-Security-Policy refuses inline styles (style-src 'self'), so a
style="" attribute in a template is silently dropped by the browser: use a class instead."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The public web form is served with its own policy (leads.views.webforms.PUBLIC_CSP).
ALLOWED = {"leads/webform_public.html"}


def test_no_template_uses_an_inline_style_attribute():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            shown_as_code = re.sub(r"&lt;.*?&gt;", "", line)  # embed snippets shown as text
            if re.search(r"\sstyle\s*=", shown_as_code):
                found.append(f"{name}:{number}")
    assert found == [], f"inline style attributes (blocked by the CSP): {found}"
