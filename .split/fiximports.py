"""Re-resolve imports inside a package: fiximports.py PKGDIR [extra import lines file]"""
import ast, json, subprocess, sys, pathlib, re
ROOT = pathlib.Path("/work/wt/procsplit"); RUFF = str(ROOT / ".venv/bin/ruff")
pkg = ROOT / sys.argv[1]
dotted = sys.argv[1].replace("/", ".")
files = sorted(str(p) for p in pkg.glob("*.py") if p.name != "__init__.py")
defined = {}
for f in files:
    for node in ast.parse(pathlib.Path(f).read_text()).body:
        names = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)): names = [node.name]
        elif isinstance(node, ast.Assign): names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name): names = [node.target.id]
        for n in names: defined[n] = pathlib.Path(f).stem
# drop stale intra-package imports
for f in files:
    t = pathlib.Path(f).read_text()
    tree = ast.parse(t)
    me = pathlib.Path(f).stem
    lines = t.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(dotted + "."):
            mod = node.module.rsplit(".", 1)[1]
            keep = [a.name for a in node.names if defined.get(a.name) == mod and mod != me]
            new = f"from {node.module} import {', '.join(keep)}\n" if keep else ""
            lines[node.lineno - 1 : node.end_lineno] = [new]
    pathlib.Path(f).write_text("".join(lines))
extra = pathlib.Path(sys.argv[2]).read_text() if len(sys.argv) > 2 else ""
for _ in range(3):
    out = subprocess.run([RUFF, "check", "--select", "F821", "--output-format", "json", *files], capture_output=True, text=True).stdout
    missing = {}
    for d in json.loads(out or "[]"):
        missing.setdefault(d["filename"], set()).add(re.search(r"`(.+?)`", d["message"]).group(1))
    if not missing: break
    for fn, names in missing.items():
        me = pathlib.Path(fn).stem; adds = []
        for n in sorted(names):
            if n in defined and defined[n] != me: adds.append(f"from {dotted}.{defined[n]} import {n}\n")
            else:
                hit = [l for l in extra.splitlines() if re.search(rf"\b{re.escape(n)}\b", l)]
                if hit: adds.append(hit[0] + "\n")
                else: print("UNRESOLVED", fn, n)
        t = pathlib.Path(fn).read_text().replace("from __future__ import annotations\n", "from __future__ import annotations\n" + "".join(dict.fromkeys(adds)), 1)
        pathlib.Path(fn).write_text(t)
subprocess.run([RUFF, "check", "--select", "I001,F401", "--fix", "-q", str(pkg)])
subprocess.run([RUFF, "format", "-q", str(pkg)])
