"""The template files a workspace was scanned with, kept in the workspace so every later command finds them.

``sipas scan --template FILE`` copies the file, and the images it names (blank pages, corner marks),
to ``<workspace>/templates/<name>-<version>/``. ``sipas review``, ``export`` and ``score`` then know
the workspace's templates without being told again. A template given again replaces its copy;
built-in templates are never copied.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from omr.errors import StorageError, TemplateError
from omr.template.load import builtin_templates, load_template, resolve_template
from omr.template.model import Template

TEMPLATES_DIR = "templates"


def referenced_files(template: Template) -> list[str]:
    """The files a template names, relative to its own file (blank pages and the corner-mark image)."""
    if template.layout is None:
        return []
    names = [page.blank.partition("#")[0] for page in template.layout.pages if page.blank]
    if template.layout.marks is not None:
        names.append(template.layout.marks.image)
    return list(dict.fromkeys(names))


def remember_templates(workspace: Path, sources: list[str | Path]) -> list[Path]:
    """Copy the given template files (not built-in names) and their images into the workspace.

    Returns the copies' paths. Raises :class:`TemplateError` when a named image is missing or lies
    outside the template's folder, :class:`StorageError` when the workspace cannot be written.
    """
    builtin = {p.resolve() for p in builtin_templates().values()}
    out: list[Path] = []
    for source in sources:
        path = resolve_template(source).resolve()
        if path in builtin:
            continue
        template = load_template(path)
        target = workspace / TEMPLATES_DIR / f"{template.name}-{template.version}"
        try:
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            shutil.copy2(path, target / path.name)
            for name in referenced_files(template):
                file = (path.parent / name).resolve()
                if path.parent not in file.parents:
                    raise TemplateError(f"{path}: {name} lies outside the template's folder; keep a template's "
                                        "images beside it (or in a folder under it)")
                if not file.is_file():
                    raise TemplateError(f"{path}: {name} does not exist (paths are relative to the template file)")
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target / name)
        except OSError as exc:
            raise StorageError(f"{target}: cannot keep a copy of template {path}: {exc}") from exc
        out.append(target / path.name)
    return out


def workspace_templates(workspace: Path) -> list[Path]:
    """The template files kept in the workspace (one per template name and version)."""
    folder = workspace / TEMPLATES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for sub in folder.iterdir() if sub.is_dir() for p in sub.glob("*.y*ml"))


def load_workspace_template(workspace: Path, name: str) -> Template:
    """A template by name: the workspace's copy when it has one, else a built-in template or a file path."""
    if not name.endswith((".yaml", ".yml")):
        kept = [load_template(p) for p in workspace_templates(workspace)]
        matching = sorted((t for t in kept if t.name == name), key=lambda t: t.version)
        if matching:
            return matching[-1]
    return load_template(name)
