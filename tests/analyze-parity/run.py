#!/usr/bin/env python3
"""Parity of `pilotlight analyze -o json` with istioctl analyze's own test table.

Reads the table of cases (pkg/config/analysis/analyzers/analyzers_test.go), the message codes
(pkg/config/analysis/msg/messages.yaml) and which codes each analyzer can report (the analyzer's
Go file) from an Istio checkout or bare git mirror, at run time: nothing of Istio's is kept here.

For each case, pilotlight analyzes the case's input files (all analyzers run, as `istioctl analyze`
does); its findings are narrowed to the codes the case's analyzer can report, and compared with the
case's expected messages as a multiset of (code, resource). A case "has its analyzer here" when
core/src/analyze/registry.rs names the case's analyzer.

  python3 tests/analyze-parity/run.py --istio /path/to/istio [--bin target/debug/pilotlight] [-v]

`--istio` is a checkout or a bare git directory (read with `git archive`).
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

ANALYZERS = "pkg/config/analysis/analyzers"
MESSAGES = "pkg/config/analysis/msg/messages.yaml"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# Kinds without a namespace: istioctl names them `Kind name`.
CLUSTER_SCOPED = {
    "Namespace",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "CustomResourceDefinition",
    "GatewayClass",
    "IngressClass",
    "Node",
}


def export_istio(istio, into):
    """The analyzer sources and testdata and the messages file, as plain files under `into`."""
    if os.path.isdir(os.path.join(istio, ANALYZERS)):
        return istio
    archive = subprocess.run(
        ["git", "--git-dir", istio, "archive", "HEAD", ANALYZERS, MESSAGES],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return into


def message_codes(root):
    text = open(os.path.join(root, MESSAGES)).read()
    return dict(re.findall(r'- name: "(\w+)"\s+code: (IST\d+)', text))


def analyzer_codes(root, codes):
    """`pkg.Type` (as the table writes it) -> (istioctl's analyzer name, codes it can report)."""
    out = {}
    base = os.path.join(root, ANALYZERS)
    for pkg in sorted(os.listdir(base)):
        d = os.path.join(base, pkg)
        if not os.path.isdir(d) or pkg == "testdata":
            continue
        for f in sorted(os.listdir(d)):
            if not f.endswith(".go") or f.endswith("_test.go"):
                continue
            src = open(os.path.join(d, f)).read()
            used = {codes[m] for m in re.findall(r"msg\.New(\w+)\(", src) if m in codes}
            # IST0101 is shared: its reference type ("host", "gateway", "selector") tells which
            # analyzer reported it.
            reftypes = set(re.findall(r'msg\.NewReferencedResourceNotFound\(\w+,\s*"([^"]+)"', src))
            for typ in re.findall(r"func \(\w*\s*\*?(\w+)\) Metadata\(\)", src):
                m = re.search(
                    r"func \(\w*\s*\*?" + typ + r"\) Metadata\(\)[^{]*\{.*?Name:\s*\"([^\"]+)\"",
                    src,
                    re.S,
                )
                name = m.group(1) if m else f"{pkg}.{typ}"
                out[f"{pkg}.{typ}"] = (name, used, reftypes)
    return out


def parse_cases(root):
    text = open(os.path.join(root, ANALYZERS, "analyzers_test.go")).read()
    grid = text[text.index("var testGrid") :]
    grid = grid[: grid.index("\n}\n")]
    cases = []
    for block in re.split(r"\n\t\{\n", grid)[1:]:
        name = re.search(r'name:\s*"([^"]*)"', block).group(1)
        inputs = re.findall(r'"(testdata/[^"]+)"', block.split("expected")[0])
        mesh = re.search(r'meshConfigFile:\s*"([^"]+)"', block)
        networks = re.search(r'meshNetworksFile:\s*"([^"]+)"', block)
        inputs = [
            i
            for i in inputs
            if not ((mesh and i == mesh.group(1)) or (networks and i == networks.group(1)))
        ]
        a = re.search(r"analyzer:\s*&?(\w+)\.(\w+)(\{\}|\(collections\.(\w+)\))", block)
        if a.group(3) == "{}":
            analyzer = f"{a.group(1)}.{a.group(2)}"
            collection = None
        else:
            analyzer = "schema.ValidationAnalyzer"
            collection = a.group(4)
        body = block.split("expected", 1)[1]
        body = "\n".join(l for l in body.splitlines() if not l.strip().startswith("//"))
        expected = re.findall(r'\{msg\.(\w+),\s*"([^"]*)"\}', body)
        cases.append(
            {
                "name": name,
                "inputs": inputs,
                "mesh_config": mesh.group(1) if mesh else None,
                "analyzer": analyzer,
                "collection": collection,
                "expected": expected,
                "skip_all": "skipAll: true" in block,
            }
        )
    return cases


def resource_key(origin):
    """`Kind ns/name` or `Kind name` -> (kind, namespace, name); a namespaced kind without a
    namespace is in `default`, as istioctl analyze puts it for files."""
    kind, _, rest = origin.partition(" ")
    ns, _, name = rest.rpartition("/")
    if kind in CLUSTER_SCOPED:
        return (kind, "", name)
    return (kind, ns or "default", name)


def ours(d, reftypes):
    """Whether a finding could come from the case's analyzer (IST0101: by its reference type)."""
    if d["code"] != "IST0101":
        return True
    return any(d["message"].startswith(f"Referenced {t} not found") for t in reftypes)


def implemented_here():
    path = os.path.join(REPO, "core/src/analyze/registry.rs")
    if not os.path.exists(path):
        return set()
    return set(re.findall(r'\ba\(\s*"([\w.]+)"', open(path).read()))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--istio", default="/work/.mirror/istio+istio/repo")
    p.add_argument("--bin", default=os.path.join(REPO, "target/debug/pilotlight"))
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("-k", "--filter", default="")
    p.add_argument("--json", help="write per-case results here")
    args = p.parse_args()

    tmp = tempfile.mkdtemp(prefix="analyze-parity-")
    root = export_istio(args.istio, tmp)
    codes = message_codes(root)
    analyzers = analyzer_codes(root, codes)
    here = implemented_here()
    schema_codes = {"IST0106", "IST0133", "IST0130", "IST0131"}

    results = []
    for case in parse_cases(root):
        if args.filter and args.filter not in case["name"]:
            continue
        if case["analyzer"] == "schema.ValidationAnalyzer":
            name = f"schema.ValidationAnalyzer.{case['collection']}"
            reportable, reftypes = schema_codes, set()
        else:
            name, reportable, reftypes = analyzers[case["analyzer"]]
        expected = collections.Counter(
            (codes[m], resource_key(o)) for m, o in case["expected"]
        )
        reportable = set(reportable) | {c for c, _ in expected}
        cmd = [args.bin, "analyze", "-o", "json"]
        for f in case["inputs"]:
            cmd += ["-f", f]
        if case["mesh_config"]:
            cmd += ["--meshConfigFile", case["mesh_config"]]
        run = subprocess.run(
            cmd, cwd=os.path.join(root, ANALYZERS), capture_output=True, text=True
        )
        try:
            found_all = json.loads(run.stdout) if run.stdout.strip() else []
        except json.JSONDecodeError:
            found_all = None
        if found_all is None:
            got = collections.Counter({("CRASH", run.stderr.strip()[:200]): 1})
        else:
            got = collections.Counter(
                (d["code"], resource_key(d["origin"]))
                for d in found_all
                if d["code"] in reportable and ours(d, reftypes)
            )
        ok = got == expected
        results.append(
            {
                "name": case["name"],
                "analyzer": name,
                "implemented": name in here,
                "ok": ok,
                "missing": sorted(map(str, (expected - got).elements())),
                "extra": sorted(map(str, (got - expected).elements())),
                "mesh_config": case["mesh_config"],
            }
        )

    impl = [r for r in results if r["implemented"]]
    for r in results:
        if args.verbose or (not r["ok"] and r["implemented"]):
            mark = "ok  " if r["ok"] else "FAIL"
            tag = "" if r["implemented"] else " (analyzer not here)"
            print(f"{mark} {r['name']} [{r['analyzer']}]{tag}")
            for m in r["missing"]:
                print(f"       missing {m}")
            for e in r["extra"]:
                print(f"       extra   {e}")
    agree = sum(r["ok"] for r in results)
    agree_impl = sum(r["ok"] for r in impl)
    print(
        f"\nagree: {agree_impl}/{len(impl)} cases whose analyzers exist here"
        f" ({100 * agree_impl / max(1, len(impl)):.1f}%), {agree}/{len(results)} of all cases"
        f" ({100 * agree / max(1, len(results)):.1f}%)"
    )
    missing = collections.Counter(r["analyzer"] for r in results if not r["implemented"])
    print("analyzers not here (cases):", ", ".join(f"{a} ({n})" for a, n in missing.most_common()))
    if args.json:
        json.dump(results, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
