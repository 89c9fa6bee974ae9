"""The page contract: typed, documented contexts; templates use only documented names; JSON twins agree.

Every HTML page is rendered from one dataclass of :mod:`review_ui.contexts` whose fields carry help
text; its ``/api/`` twin returns the same data; ``docs/review.md`` lists every field.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from collections.abc import Callable, Iterator

import pytest
from _workspace import ROOT, Built
from conftest import TestClient
from fastapi.routing import APIRoute
from jinja2 import nodes
from jinja2.meta import find_undeclared_variables
from sqlalchemy import select

from omr.store.db import Store
from omr.store.schema import PageRow
from review_ui import contexts
from review_ui.app import ROUTERS
from review_ui.contexts import NESTED, PAGES, AnswerView, ItemView, SessionContext, field_help
from review_ui.rendering import CHROME, TEMPLATES

Make = Callable[[str | None], tuple[TestClient, str]]
TEMPLATE_DIR = ROOT / "review_ui" / "templates"
DOCS = ROOT / "docs" / "review.md"
PARTIALS: dict[str, dict[str, object]] = {
    "_answers.html": {"answers": tuple[AnswerView, ...], "can_edit": bool, "compact": bool},
}
"""Partials and the names their includers pass (with their types)."""


def _dataclasses_in(tp: object) -> Iterator[type]:
    """Dataclass types inside a type hint (tuple[X, ...], X | None, dict[str, X] …)."""
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        yield tp
    for arg in typing.get_args(tp):
        yield from _dataclasses_in(arg)


def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls, vars(contexts))


def _element(tp: object) -> type | None:
    """X of tuple[X, ...] when X is a dataclass."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) is tuple and args and isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
        return args[0]
    return None


def test_every_page_route_is_in_the_contract() -> None:
    gets = {r.path for router in ROUTERS for r in router.routes
            if isinstance(r, APIRoute) and "GET" in (r.methods or set())}
    pages = {p.path for p in PAGES if p.path.startswith("/")}
    html = {p for p in gets if not p.startswith(("/api/", "/img/")) and p != "/"}
    assert html == pages
    for p in PAGES:
        assert p.json_path is None or p.json_path in gets, p
        assert (TEMPLATE_DIR / p.template).is_file()


def test_every_context_field_is_documented() -> None:
    classes = {p.context for p in PAGES} | set(NESTED)
    for cls in classes:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
        undocumented = [name for name, text in field_help(cls).items() if not text.strip()]
        assert not undocumented, f"{cls.__name__}: document {undocumented} with doc('...')"
        for name, tp in _hints(cls).items():
            for inner in _dataclasses_in(tp):
                assert inner in classes, f"{cls.__name__}.{name}: add {inner.__name__} to contexts.NESTED"


def _attribute_uses(tree: nodes.Node, scope: dict[str, type]) -> list[tuple[str, str, type]]:
    """(variable, attribute, its dataclass) for every ``var.attr`` whose var has a known dataclass type,
    following ``{% for x in var.field %}`` and ``{% with %}`` into nested dataclasses."""
    found: list[tuple[str, str, type]] = []

    def visit(node: nodes.Node, scope: dict[str, type]) -> None:
        if isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name in scope:
            found.append((node.node.name, node.attr, scope[node.node.name]))
        if isinstance(node, nodes.For) and isinstance(node.target, nodes.Name):
            inner = dict(scope)
            it = node.iter
            if isinstance(it, nodes.Getattr) and isinstance(it.node, nodes.Name) and it.node.name in scope:
                element = _element(_hints(scope[it.node.name]).get(it.attr))
                if element is not None:
                    inner[node.target.name] = element
            elif isinstance(it, nodes.Name) and it.name in scope:
                inner[node.target.name] = scope[it.name]
            visit(node.iter, scope)
            for child in node.body + node.else_:
                visit(child, inner)
            return
        for child in node.iter_child_nodes():
            visit(child, scope)

    visit(tree, scope)
    return found


@pytest.mark.parametrize("name", sorted(p.name for p in TEMPLATE_DIR.glob("*.html")))
def test_templates_use_only_documented_names(name: str) -> None:
    source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    tree = TEMPLATES.env.parse(source)
    allowed = set(CHROME) | set(PARTIALS.get(name, {}))
    assert find_undeclared_variables(tree) <= allowed, f"{name} uses names that no context documents"
    page = next((p for p in PAGES if p.template == name), None)
    scope: dict[str, type] = {"c": page.context} if page else {}
    for param, tp in PARTIALS.get(name, {}).items():
        element = _element(tp)
        if element is not None:
            scope[param] = element  # a list parameter: its items are iterated by name
    for var, attr, cls in _attribute_uses(tree, scope):
        if var in PARTIALS.get(name, {}):
            continue  # the list itself, not an item
        assert attr in field_help(cls) or hasattr(cls, attr), f"{name}: {var}.{attr} is not a field of {cls.__name__}"
    if page is None and not name.startswith("_"):
        assert name == "base.html", f"{name} is not the template of any page in contexts.PAGES"


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _jsonable(obj: object) -> dict[str, object]:
    """A context as its JSON twin sends it."""
    assert dataclasses.is_dataclass(obj) and not isinstance(obj, type)
    data: dict[str, object] = json.loads(json.dumps(dataclasses.asdict(obj)))
    return data


def test_each_page_renders_its_context_and_the_twin_returns_the_same_data(
    client_for: Make, ws: Built, store: Store
) -> None:
    c, _tok = client_for("admin")
    with store.session() as s:
        page_id = s.scalar(select(PageRow.id).where(PageRow.form_id == ws.form_ids[0]))
    values = {"page_id": str(page_id), "form_id": ws.form_ids[0], "template": "mini", "question": "Q9"}
    checked = 0
    for page in PAGES:
        if not page.path.startswith("/") or page.path == "/login":
            continue
        url = _fill(page.path, values)
        html = c.get(url)
        assert html.status_code == 200, (url, html.text[:300])
        assert html.template.name == page.template
        rendered = html.context
        assert set(rendered) == set(CHROME), f"{url}: context keys {sorted(rendered)}"
        ctx = rendered["c"]
        assert type(ctx) is page.context
        assert page.json_path is not None
        twin_url = _fill(page.json_path, values)
        assert html.headers["link"] == f'<{twin_url}>; rel="alternate"; type="application/json"'
        twin = c.get(twin_url).json()
        assert twin.pop("ok") is True
        assert twin == _jsonable(ctx), f"{twin_url} differs from the context of {url}"
        checked += 1
    assert checked == sum(1 for p in PAGES if p.path.startswith("/") and p.path != "/login")


def test_login_and_error_pages_and_their_json(client_for: Make) -> None:
    anon, _ = client_for(None)
    login = anon.get("/login?next=/bulk")
    assert set(login.context) == set(CHROME)
    assert login.context["c"] == contexts.LoginContext("/bulk")
    session = anon.get("/api/session").json()
    assert session.pop("ok") is True and set(session) == set(field_help(SessionContext))
    c, _ = client_for("rev1")
    missing = c.get("/pages/999999")
    assert missing.status_code == 404 and missing.template.name == "error.html"
    err = missing.context["c"]
    assert type(err) is contexts.ErrorContext
    twin = c.get("/api/pages/999999").json()
    assert twin == {"ok": False, **_jsonable(err)}


def test_the_queue_item_is_an_item_view(client_for: Make) -> None:
    c, tok = client_for("rev1")
    data = c.post("/api/queue/next", json={"question": "Q9"}, headers={"X-CSRF-Token": tok}).json()
    assert set(data) == {"ok", "item", "remaining", "skips"} and data["remaining"] >= 1
    assert set(data["item"]) == set(field_help(ItemView))
    assert set(data["item"]["options"][0]) == set(field_help(contexts.OptionView))


def _doc_sections() -> dict[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,4} ", text, flags=re.M)
    return {p.split("\n", 1)[0].strip(): p for p in parts[1:]}


def test_docs_list_every_context_and_field() -> None:
    sections = _doc_sections()
    for cls in sorted({p.context for p in PAGES} | set(NESTED), key=lambda k: k.__name__):
        heading = next((h for h in sections if re.search(rf"\b{cls.__name__}\b", h)), None)
        assert heading, f"docs/review.md: add a section whose heading names {cls.__name__}"
        for name in field_help(cls):
            assert f"`{name}`" in sections[heading], f"docs/review.md, {heading}: document `{name}`"


def test_docs_list_every_route() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for router in ROUTERS:
        for r in router.routes:
            if isinstance(r, APIRoute):
                for method in sorted(r.methods or ()):
                    assert f"{method} {r.path}" in text, f"docs/review.md: document `{method} {r.path}`"
