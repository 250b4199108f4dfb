#!/usr/bin/env python3
"""The layers, read from the #include lines (docs/architecture.md, "Layers").

Three layers, by folder:
  core  the pure code: firmware/<folder> (but snmp and firstboot) and refclock/
  io    the operating system and hardware: drivers/<folder>
  app   the programs and their wiring: firmware/*.cpp|hpp, firmware/snmp, firmware/firstboot
An include may go down (app -> io -> core) or stay in its layer, never up. And the folders'
include graph has no cycle: a folder that includes another is never included back by it,
directly or round a loop. Fails with every offending include and every cycle.
Usage: include_layers.py SOURCE_DIR
"""
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else "."
APP_FOLDERS = {"firmware/snmp", "firmware/firstboot"}
RANK = {"core": 0, "io": 1, "app": 2}


def folder(path):
    parts = path.split("/")
    if parts[0] == "firmware":
        return "firmware" if len(parts) == 2 else "firmware/" + parts[1]
    if parts[0] == "drivers" and len(parts) > 2:
        return "drivers/" + parts[1]
    return parts[0]


def layer(name):
    if name == "firmware" or name in APP_FOLDERS:
        return "app"
    if name.startswith("drivers"):
        return "io"
    return "core"


edges = {}
problems = []
include = re.compile(r'\s*#\s*include\s+"([^"]+)"')
for root in ("firmware", "drivers", "refclock"):
    for directory, _, files in os.walk(os.path.join(top, root)):
        for name in sorted(files):
            if not name.endswith((".hpp", ".cpp")):
                continue
            path = os.path.relpath(os.path.join(directory, name), top)
            source = folder(path)
            with open(os.path.join(top, path), encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = include.match(line)
                    if not m or not m.group(1).startswith(("firmware/", "drivers/", "refclock/")):
                        continue
                    target = folder(m.group(1))
                    if target == source:
                        continue
                    edges.setdefault(source, {}).setdefault(target, f"{path}:{number} includes {m.group(1)}")
                    if RANK[layer(target)] > RANK[layer(source)]:
                        problems.append(f"{path}:{number}: {layer(source)} includes {layer(target)} "
                                        f"({m.group(1)}): an include never goes up a layer")

# Tarjan's strongly connected components over the folders.
index, low, stack, on_stack, components = {}, {}, [], set(), []
counter = [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on_stack.add(v)
    for w in sorted(edges.get(v, {})):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            component.append(w)
            if w == v:
                break
        components.append(sorted(component))


sys.setrecursionlimit(10000)
nodes = set(edges) | {t for targets in edges.values() for t in targets}
for v in sorted(nodes):
    if v not in index:
        visit(v)
for component in components:
    if len(component) < 2:
        continue
    members = set(component)
    closing = [edges[a][b] for a in component for b in sorted(edges.get(a, {})) if b in members]
    problems.append("folders in a cycle: " + ", ".join(component) + "\n    " + "\n    ".join(closing))

if problems:
    print("\n".join(problems))
    print(f"FAIL: {len(problems)} layering problem(s)")
    sys.exit(1)
print(f"PASS: {len(nodes)} folders, {sum(len(t) for t in edges.values())} folder-to-folder includes, "
      "no cycle, none upwards")
