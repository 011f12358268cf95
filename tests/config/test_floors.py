"""The apps stand in floors: each imports only from floors below it (or itself), never
sideways and never up; metrics, the top, is imported by nobody. Reads every import."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {
    "people": 1,
    "programs": 2,
    "assessments": 3,
    "feedback360": 3,
    "coaching": 4,
    "metrics": 5,
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(FLOORS)


def violations() -> list[str]:
    out = []
    for app, floor in FLOORS.items():
        for path in (ROOT / app).rglob("*.py"):
            for other in _imports(path) - {app}:
                if FLOORS[other] >= floor:
                    out.append(f"{path.relative_to(ROOT)} imports {other}")
    return sorted(out)


def test_no_app_imports_a_higher_or_a_sideways_one():
    assert violations() == []


def test_the_check_reads_the_imports_it_should():
    # programs really does build on people, and metrics on both: the walk sees that.
    assert "people" in _imports(ROOT / "programs" / "selectors.py")
    assert {"people"} <= _imports(ROOT / "metrics" / "services.py")
