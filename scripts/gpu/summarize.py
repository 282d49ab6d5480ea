"""Grades an executed scripts/gpu/gpu-check.ipynb: each cell's outputs against the pattern in its
metadata.gpu_check.expect. Usage: summarize.py EXECUTED.ipynb FIGURES.json OUT.json
Prints one line per check and writes {checks: [...], figures: {...}} to OUT.json."""
import json
import re
import sys


def text_of(value):
    """nbformat stores multi-line text as a string or as a list of lines."""
    return "".join(value) if isinstance(value, list) else (value or "")


def output_text(cell):
    """Everything a reader sees of a cell's outputs, as text."""
    parts = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            parts.append(text_of(out.get("text")))
        elif kind in ("display_data", "execute_result"):
            for mime in ("text/plain", "text/html", "text/markdown", "image/svg+xml"):
                value = out.get("data", {}).get(mime)
                if value:
                    parts.append(text_of(value))
        elif kind == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}\n" + "\n".join(out.get("traceback", [])))
    return "".join(parts)


def grade(notebook):
    """One record per check cell: name, pass, whether it raised, the first lines of output."""
    checks = []
    for cell in notebook["cells"]:
        spec = cell.get("metadata", {}).get("gpu_check")
        if cell.get("cell_type") != "code" or not spec:
            continue
        text = output_text(cell)
        errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        expected_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        ok = bool(re.search(spec["expect"], text)) and (errored == expected_error or expected_error)
        checks.append({"name": spec["name"], "pass": ok, "errored": errored,
                       "ran": cell.get("execution_count") is not None,
                       "excerpt": "\n".join(text.strip().splitlines()[:6])[:600]})
    return checks


def main():
    executed, figures_path, out_path = sys.argv[1:4]
    try:
        with open(executed) as f:
            checks = grade(json.load(f))
    except (OSError, ValueError) as error:
        checks = [{"name": "notebook", "pass": False, "errored": True, "ran": False, "excerpt": str(error)}]
    try:
        with open(figures_path) as f:
            figures = json.load(f)
    except (OSError, ValueError):
        figures = {}
    for c in checks:
        print(f"{'PASS' if c['pass'] else 'FAIL'}  {c['name']}")
    passed = sum(c["pass"] for c in checks)
    print(f"{passed}/{len(checks)} checks passed")
    with open(out_path, "w") as f:
        json.dump({"checks": checks, "passed": passed, "total": len(checks), "figures": figures}, f, indent=1)
    return 0 if passed == len(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
