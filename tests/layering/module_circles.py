#!/usr/bin/env python3
"""Import circles in a Rust crate: a module that uses a sibling which uses it back (directly or
through other siblings), at every level of the module tree. Parent and child may use each other
(Rust's `super::`); siblings may not. `make lint` runs it on core/src and web/src.

usage: module_circles.py SRC_DIR [--edges]    exit status 1 when there is a circle"""
import os, re, sys
from collections import defaultdict

src = sys.argv[1].rstrip('/')
show_edges = '--edges' in sys.argv

def modpath(path):
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] == 'mod': rel = rel[:-1]
    if rel in (['lib'], ['main']): rel = []
    if rel and rel[0] == 'bin': return None
    return tuple(rel)

files = {}
for root, _, names in os.walk(src):
    for n in names:
        if n.endswith('.rs'):
            p = os.path.join(root, n); m = modpath(p)
            if m is not None: files[m] = p
modules = set(files)
# inline `mod x {` blocks count as part of their file's module (tests etc.)

def strip(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'//[^\n]*', '', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text

def expand(prefix, body):
    # body of a {...} group: split at top-level commas
    out, depth, cur = [], 0, ''
    for ch in body:
        if ch == '{': depth += 1
        if ch == '}': depth -= 1
        if ch == ',' and depth == 0: out.append(cur.strip()); cur = ''
        else: cur += ch
    if cur.strip(): out.append(cur.strip())
    res = []
    for item in out:
        m = re.match(r'^([\w:]*?)::\{(.*)\}$', item, re.S)
        if m: res += expand(prefix + [p for p in m.group(1).split('::') if p], m.group(2))
        else: res.append(prefix + [p for p in item.split(' as ')[0].strip().split('::') if p])
    return res

def find_group(text, start):
    depth = 0
    for i in range(start, len(text)):
        if text[i] == '{': depth += 1
        elif text[i] == '}':
            depth -= 1
            if depth == 0: return text[start+1:i]
    return ''

def refs(mod, text):
    out = []
    for m in re.finditer(r'(?<![\w:])(\$?crate|super|self)((?:::\w+)*)::(\{)?', text):
        root, chain, brace = m.group(1), m.group(2), m.group(3)
        parts = [p for p in chain.split('::') if p]
        if root in ('crate', '$crate'): base = []
        elif root == 'self': base = list(mod)
        else:
            base = list(mod); n = 1
            while parts and parts[0] == 'super': parts.pop(0); n += 1
            base = base[:-n] if n <= len(base) else []
        if brace:
            for p in expand([], find_group(text, m.end() - 1)):
                out.append(base + parts + p)
        else:
            tail = re.match(r'\w+', text[m.end():])
            out.append(base + parts + ([tail.group(0)] if tail else []))
    return out

def resolve(path):
    best = ()
    for i in range(len(path), 0, -1):
        if tuple(path[:i]) in modules: return tuple(path[:i])
    return best

edges = defaultdict(set)  # (parent) -> set of (a, b)
why = defaultdict(list)
for mod, path in files.items():
    text = strip(open(path).read())
    for r in refs(mod, text):
        t = resolve(r)
        # lowest common ancestor
        k = 0
        while k < min(len(mod), len(t)) and mod[k] == t[k]: k += 1
        if k == len(mod) or k == len(t): continue  # ancestor/descendant
        a, b = mod[:k+1], t[:k+1]
        edges[mod[:k]].add((a, b)); why[(a, b)].append((mod, '::'.join(r)))

cycles = 0
for parent, es in sorted(edges.items()):
    g = defaultdict(set)
    for a, b in es: g[a].add(b)
    for a, b in sorted(es):
        if a < b and (b, a) in es:
            cycles += 1
            print('CYCLE', '::'.join(a), '<->', '::'.join(b))
            for d in ((a, b), (b, a)):
                print('   ', '::'.join(d[0]), '->', '::'.join(d[1]), ':', sorted(set('%s uses %s' % ('::'.join(x), y) for x, y in why[d]))[:4])
    # longer cycles via SCC
    idx, low, st, on, res, c = {}, {}, [], set(), [], [0]
    def sc(v):
        idx[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
        for w in g[v]:
            if w not in idx: sc(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 2: res.append(comp)
    for v in list(g):
        if v not in idx: sc(v)
    for comp in res:
        cycles += 1; print('CYCLE (longer)', ' , '.join('::'.join(x) for x in comp))
    if show_edges:
        for a, b in sorted(es): print('  edge', '::'.join(a), '->', '::'.join(b))
print(f'{len(files)} modules in {src}; {cycles} circle(s)')
sys.exit(1 if cycles else 0)
