"""Move top-level functions between modules: move.py SRC DST name..."""
import ast, sys, pathlib
src, dst, names = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
text = src.read_text(); lines = text.splitlines(keepends=True)
tree = ast.parse(text)
chunks = []; remove = []
for node in tree.body:
    if getattr(node, "name", None) in names or (isinstance(node, ast.Assign) and any(getattr(t, "id", None) in names for t in node.targets)):
        start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
        # include preceding comment lines
        while start > 0 and lines[start - 1].startswith("#"):
            start -= 1
        chunks.append("".join(lines[start:node.end_lineno]))
        remove.append((start, node.end_lineno))
for a, b in sorted(remove, reverse=True):
    del lines[a:b]
src.write_text("".join(lines))
dst.write_text(dst.read_text().rstrip("\n") + "\n\n\n" + "\n\n\n".join(c.rstrip("\n") for c in chunks) + "\n")
