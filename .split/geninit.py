import ast, sys, pathlib, subprocess
ROOT = pathlib.Path("/work/wt/procsplit"); pkg = ROOT / sys.argv[1]; dotted = sys.argv[1].replace("/", ".")
extra = set(sys.argv[2:])
init = pkg / "__init__.py"
doc = ast.get_docstring(ast.parse(init.read_text()))
out = [f'"""{doc}"""\n\n']; exported = []
for f in sorted(pkg.glob("*.py")):
    if f.name == "__init__.py": continue
    names = []
    for node in ast.parse(f.read_text()).body:
        ns = []
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)): ns = [node.name]
        elif isinstance(node, ast.Assign): ns = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name): ns = [node.target.id]
        names += [n for n in ns if (not n.startswith("_") or n in extra) and n != "logger"]
    if names:
        out.append(f"from {dotted}.{f.stem} import {', '.join(sorted(set(names)))}\n"); exported += names
out.append("\n__all__ = [" + ", ".join(f'"{n}"' for n in sorted(set(exported))) + "]\n")
init.write_text("".join(out))
subprocess.run([str(ROOT / ".venv/bin/ruff"), "check", "--select", "I001", "--fix", "-q", str(init)])
subprocess.run([str(ROOT / ".venv/bin/ruff"), "format", "-q", str(init)])
