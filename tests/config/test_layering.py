"""Views and serializers read through selectors: no model manager queries of their own,
so a rule applied in a selector cannot be skipped by a view that forgot it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["people", "programs", "assessments", "feedback360", "coaching", "metrics"]


def _view_modules():
    for app in APPS:
        base = ROOT / app
        yield from base.glob("views.py")
        yield from base.glob("*_views.py")
        yield from base.glob("api/views.py")
        yield from base.glob("api/serializers.py")


def _manager_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _allowed(path: Path, line: int) -> bool:
    # `queryset = Model.objects.none()` only tells drf-spectacular the model.
    return ".objects.none()" in path.read_text().splitlines()[line - 1]


def test_views_and_serializers_never_query_a_model_manager():
    offenders = []
    for path in _view_modules():
        for where in _manager_uses(path):
            line = int(where.rsplit(":", 1)[1])
            if not _allowed(path, line):
                offenders.append(where)
    assert offenders == [], f"query through a selector instead: {offenders}"


def test_the_check_sees_the_view_modules():
    names = {str(p.relative_to(ROOT)) for p in _view_modules()}
    assert {"programs/api/views.py", "assessments/views.py", "people/api/serializers.py"} <= names
