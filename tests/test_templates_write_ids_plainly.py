"""Templates write ids (in option values, element ids, anchors) without number formatting.

The pages group figures by thousands (USE_THOUSAND_SEPARATOR), and Django applies that to every
integer a template prints, ids included: from id 1,000 on, `value="{{ rep.pk }}"` would send
"1,000" and `id="goal-{{ goal.pk }}"` would break the anchor. Every id goes through
`|unlocalize`; this test finds one that does not.
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
PRINTED_ID = re.compile(r"\{\{\s*([\w.]*(?:\bpk|\.id|_id))\s*(\|[^}]*)?\}\}")


def test_every_id_a_template_prints_is_unlocalized():
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            for match in PRINTED_ID.finditer(line):
                if "unlocalize" not in (match.group(2) or ""):
                    offenders.append(f"{template.relative_to(TEMPLATES)}:{number}: {match[0]}")
    assert offenders == []
