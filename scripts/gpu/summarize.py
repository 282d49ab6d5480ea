"""Grades an executed scripts/gpu/gpu-check.ipynb: each cell's outputs against the pattern in its
metadata.gpu_check.expect (and its %bench record against `record`), takes the numbers its
`figures` name, and grades the icuda compare step gpu-check.sh recorded in FIGURES.json.
Usage: summarize.py EXECUTED.ipynb FIGURES.json OUT.json
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


def record_text(cell):
    """The %bench records a cell's outputs carry (metadata icuda.bench), as JSON text."""
    records = [o.get("metadata", {}).get("icuda", {}).get("bench") for o in cell.get("outputs", [])]
    return "\n".join(json.dumps(r) for r in records if r)


def numbers(spec, text):
    """The figures a check names: name -> group 1 of its pattern in the text, a number when it is
    one ("103 µs" stays text), None when the pattern is not there."""
    found = {}
    for name, pattern in spec.get("figures", {}).items():
        match = re.search(pattern, text)
        value = match.group(1) if match else None
        found[name] = float(value) if value and re.fullmatch(r"[\d.]+", value) else value
    return found


def grade(notebook, figures):
    """One record per check cell: name, pass, whether it raised, the first lines of output; the
    figures the cells name are added to `figures`."""
    checks = []
    for cell in notebook["cells"]:
        spec = cell.get("metadata", {}).get("gpu_check")
        if cell.get("cell_type") != "code" or not spec:
            continue
        text = output_text(cell)
        errored = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        expected_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        ok = bool(re.search(spec["expect"], text)) and (errored == expected_error or expected_error)
        if spec.get("record"):
            ok = ok and bool(re.search(spec["record"], record_text(cell)))
        figures.update(numbers(spec, text))
        checks.append({"name": spec["name"], "pass": ok, "errored": errored,
                       "ran": cell.get("execution_count") is not None,
                       "excerpt": "\n".join(text.strip().splitlines()[:6])[:600]})
    return checks


def compare_check(compare):
    """The icuda compare step: both session benches of gpu-compare.ipynb found in the two runs, and
    each judged the same within noise. Skipped (not failed) in a build without the command."""
    name = "icuda compare: two runs of the same benches, same within noise"
    if not compare or compare.get("status") == "skipped":
        return {"name": name, "pass": False, "skipped": True, "excerpt": (compare or {}).get("why", "not run")}
    output = compare.get("output", "")
    try:
        report = json.loads(output[output.index("{"):])
        verdicts = {r["name"]: r["verdict"] for r in report.get("results", [])}
    except (ValueError, KeyError, TypeError):
        verdicts = {}
    ok = compare.get("exit") == 0 and set(verdicts) >= {"axpy", "d2d"} and all(v == "same" for v in verdicts.values())
    return {"name": name, "pass": ok, "errored": compare.get("exit") != 0, "ran": True,
            "verdicts": verdicts, "excerpt": output[:600]}


def main():
    executed, figures_path, out_path = sys.argv[1:4]
    try:
        with open(figures_path) as f:
            figures = json.load(f)
    except (OSError, ValueError):
        figures = {}
    try:
        with open(executed) as f:
            checks = grade(json.load(f), figures)
    except (OSError, ValueError) as error:
        checks = [{"name": "notebook", "pass": False, "errored": True, "ran": False, "excerpt": str(error)}]
    checks.append(compare_check(figures.pop("compare", None)))
    for c in checks:
        print(f"{'SKIP' if c.get('skipped') else 'PASS' if c['pass'] else 'FAIL'}  {c['name']}")
    graded = [c for c in checks if not c.get("skipped")]
    passed = sum(c["pass"] for c in graded)
    print(f"{passed}/{len(graded)} checks passed, {len(checks) - len(graded)} skipped")
    with open(out_path, "w") as f:
        json.dump({"checks": checks, "passed": passed, "total": len(graded), "figures": figures}, f, indent=1)
    return 0 if passed == len(graded) else 1


if __name__ == "__main__":
    sys.exit(main())
