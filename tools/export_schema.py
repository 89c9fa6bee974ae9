"""Write the published JSON Schema of the template format: ``python -m tools.export_schema``.

The file ``templates/template.schema.json`` is generated from :mod:`omr.template.model`; a test
checks that the committed copy is current, so run this after every change to the model.
"""

from __future__ import annotations

import json
from pathlib import Path

from omr.template.model import template_json_schema

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "templates" / "template.schema.json"


def render_schema() -> str:
    """The schema as the committed text: 2-space indent, UTF-8 kept, trailing newline."""
    return json.dumps(template_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
