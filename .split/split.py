"""One-off helper: split a module into a package by line ranges."""
import ast, json, subprocess, sys, pathlib, re

ROOT = pathlib.Path("/work/wt/procsplit")
RUFF = str(ROOT / ".venv/bin/ruff")


def split(src, import_start, import_end, plan, init_doc, extra_init=()):
    path = ROOT / src
    lines = path.read_text().splitlines(keepends=True)
    imports = "".join(lines[import_start - 1 : import_end])
    pkg = path.with_suffix("")
    pkg.mkdir()
    dotted = str(pkg.relative_to(ROOT)).replace("/", ".")
    for mod, (doc, ranges) in plan.items():
        body = "".join("".join(lines[a - 1 : b]).rstrip("\n") + "\n\n\n" for a, b in ranges)
        (pkg / f"{mod}.py").write_text(f'"""{doc}"""\n\n{imports}\n\n{body}')
    path.unlink()
    files = [str(pkg / f"{m}.py") for m in plan]
    subprocess.run([RUFF, "check", "--select", "F401,F811", "--fix", "-q", *files])
    defined = {}
    for mod in plan:
        tree = ast.parse((pkg / f"{mod}.py").read_text())
        for node in tree.body:
            names = []
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            for n in names:
                defined[n] = mod
    for _ in range(3):
        out = subprocess.run([RUFF, "check", "--select", "F821", "--output-format", "json", *files],
                             capture_output=True, text=True).stdout
        missing = {}
        for d in json.loads(out or "[]"):
            name = re.search(r"`(.+?)`", d["message"]).group(1)
            missing.setdefault(d["filename"], set()).add(name)
        if not missing:
            break
        for fn, names in missing.items():
            me = pathlib.Path(fn).stem
            adds = []
            for n in sorted(names):
                if n in defined and defined[n] != me:
                    adds.append(f"from {dotted}.{defined[n]} import {n}\n")
                else:
                    print("UNRESOLVED", fn, n)
            text = pathlib.Path(fn).read_text()
            text = text.replace("from __future__ import annotations\n", "from __future__ import annotations\n" + "".join(adds), 1)
            pathlib.Path(fn).write_text(text)
        files_ok = True
    # __init__: re-export
    init = [f'"""{init_doc}"""\n\n']
    exported = []
    for mod in plan:
        names = sorted(n for n, m in defined.items() if m == mod and (not n.startswith("_") or n in extra_init))
        if names:
            init.append(f"from {dotted}.{mod} import {', '.join(names)}\n")
            exported += names
    init.append("\n__all__ = [" + ", ".join(f'"{n}"' for n in sorted(exported)) + "]\n")
    (pkg / "__init__.py").write_text("".join(init))
    subprocess.run([RUFF, "check", "--select", "I001,F401", "--fix", "-q", str(pkg)])
    subprocess.run([RUFF, "format", "-q", str(pkg)])
    subprocess.run(["wc", "-l", *sorted(str(p) for p in pkg.glob("*.py"))])
    return defined
