#!/usr/bin/env python3
"""`pilotlight convert` (and `convert --status`) against istiod's own conversion tests.

    python3 core/tests/istio_conversion/run.py [--istio GITDIR] [--bin PILOTLIGHT] [--case NAME]... [-v]

Reads istio/istio's testdata at HEAD of a local clone or mirror (GITDIR, default
/work/.mirror/istio+istio/repo; `fetch github:istio/istio` brings one), nothing of it is stored
here: pilot/pkg/config/kube/gateway/testdata/<case>.yaml (inputs), <case>.yaml.golden (the Istio
Gateways, VirtualServices and DestinationRules istiod derives) and <case>.status.yaml.golden (the
status it writes), and pilot/pkg/config/kube/ingress/testdata/<case>.yaml(.golden). The Go tests
register Services the inputs refer to (conversion_test.go `services`); they are rebuilt here as
Kubernetes Services (or ServiceEntries for non-cluster hosts) with the same ports, the Secrets and
ConfigMaps of its `objects` (the certificates listeners and policies name), and a labelled
Namespace for each namespace of the input, as its readConfig does. The goldens'
domain suffixes (`domain.suffix`, `mydomain`) read as `cluster.local`. istiod's Ingress tests run
in ingressControllerMode DEFAULT, given here as a MeshConfig.

Prints per case and in total: derived objects equal / different / only in istiod / only in ours,
the leaf agreement of the derived objects, and the agreement of status conditions
(type -> status, reason, message) over the Gateway API objects both sides report.
"""
import argparse
import base64
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

GW = "pilot/pkg/config/kube/gateway"
ING = "pilot/pkg/config/kube/ingress"
DERIVED_KINDS = {"Gateway", "VirtualService", "DestinationRule"}
STATUS_KINDS = {"GatewayClass", "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute"}


def git_show(repo, path):
    r = subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def git_ls(repo, path):
    r = subprocess.run(["git", "-C", repo, "ls-tree", "--name-only", "HEAD", path + "/"],
                       capture_output=True, text=True, check=True)
    return [os.path.basename(p) for p in r.stdout.split()]


def go_services(src):
    """The `services` of conversion_test.go as (hostname, namespace, ports)."""
    named_ports = {}
    for m in re.finditer(r"var (\w+) = \[\]\*model\.Port\{(.*?)\n\}", src, re.S):
        named_ports[m.group(1)] = [int(p) for p in re.findall(r"Port:\s+(\d+)", m.group(2))]
    body = re.search(r"var services = \[\]\*model\.Service\{(.*?)\n\}\n", src, re.S).group(1)
    out = []
    for entry in re.split(r"\n\t\},?\n\t\{", body):
        host = re.search(r'Hostname:\s+(?:host\.Name\()?"([^"]+)"', entry)
        ns = re.search(r'Namespace:\s+"([^"]+)"', entry)
        if not host or not ns:
            continue
        inline = re.search(r"Ports: \[\]\*model\.Port\{(.*?)\n\t\t\}", entry, re.S)
        if inline:
            ports = [int(p) for p in re.findall(r"Port:\s+(\d+)", inline.group(1))]
        else:
            ref = re.search(r"Ports:\s+(\w+)", entry)
            ports = named_ports.get(ref.group(1), [80]) if ref else [80]
        out.append((host.group(1), ns.group(1), ports))
    return out


def go_objects(src):
    """The Secrets and ConfigMaps of conversion_test.go `objects` (certificates the Gateways name)."""
    consts = {m.group(1): m.group(2) for m in re.finditer(r"(\w+PEM) = `(.*?)`", src, re.S)}
    body = re.search(r"objects = \[\]runtime\.Object\{(.*?)\n\t\}\n\)", src, re.S)
    docs = []
    if not body:
        return docs
    for m in re.finditer(r"&corev1\.(Secret|ConfigMap)\{(.*?)\n\t\t\},", body.group(1), re.S):
        kind, entry = m.group(1), m.group(2)
        name = re.search(r'Name:\s+"([^"]+)"', entry).group(1)
        ns = re.search(r'Namespace:\s+"([^"]+)"', entry).group(1)
        data = {}
        for k, v in re.findall(r'"([^"]+)":\s+(?:\[\]byte\()?(\w+|"[^"]*")\)?,', entry):
            data[k] = v[1:-1] if v.startswith('"') else consts.get(v, "")
        doc = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": ns}}
        if kind == "Secret":
            doc["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
        else:
            doc["data"] = data
        docs.append(doc)
    return docs


def service_docs(services):
    docs = []
    for host, ns, ports in services:
        ports = ports or [80]
        m = re.match(r"^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.domain\.suffix$", host)
        if m:
            docs.append({"apiVersion": "v1", "kind": "Service",
                         "metadata": {"name": m.group(1), "namespace": m.group(2)},
                         "spec": {"ports": [{"name": f"port-{p}", "port": p} for p in ports]}})
        elif "%" not in host:
            docs.append({"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
                         "metadata": {"name": "se-" + re.sub(r"[^a-z0-9-]", "-", host.lower()), "namespace": ns},
                         "spec": {"hosts": [host], "resolution": "DNS",
                                  "ports": [{"name": f"http-{p}", "number": p, "protocol": "HTTP"} for p in ports]}})
    return docs


def normal(text):
    return text.replace("svc.domain.suffix", "svc.cluster.local").replace("svc.mydomain", "svc.cluster.local")


def load_docs(text):
    return [d for d in yaml.safe_load_all(normal(text)) if isinstance(d, dict)]


def key(d):
    m = d.get("metadata", {})
    return (d.get("kind"), m.get("namespace", ""), m.get("name"))


def leaves(v, path=""):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, f"{path}.{k}")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(x, f"{path}[{i}]")
    else:
        yield path, v


def comparable(d):
    m = d.get("metadata", {})
    return {"annotations": m.get("annotations") or {}, "spec": d.get("spec") or {}}


def status_leaves(d):
    """(place, type) -> (status, reason, message) of an object's status."""
    s = d.get("status") or {}
    out = {}
    for c in s.get("conditions") or []:
        out[("object", c["type"])] = (c.get("status"), c.get("reason"), c.get("message"))
    for l in s.get("listeners") or []:
        for c in l.get("conditions") or []:
            out[("listener " + l["name"], c["type"])] = (c.get("status"), c.get("reason"), c.get("message"))
        out[("listener " + l["name"], "attachedRoutes")] = l.get("attachedRoutes")
    for i, p in enumerate(s.get("parents") or []):
        ref = json.dumps(p.get("parentRef"), sort_keys=True)
        for c in p.get("conditions") or []:
            if c["type"] == "ResolvedWaypoints":
                continue
            out[("parent " + ref, c["type"])] = (c.get("status"), c.get("reason"), c.get("message"))
    return out


def run(binary, args, files):
    cmd = [binary, "convert"] + sum((["-f", f] for f in files), []) + args + ["-o", "json"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--istio", default="/work/.mirror/istio+istio/repo")
    ap.add_argument("--bin", default=os.environ.get("PILOTLIGHT_BIN", "target/debug/pilotlight"))
    ap.add_argument("--case", action="append")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    test_src = git_show(a.istio, f"{GW}/conversion_test.go")
    services = service_docs(go_services(test_src))
    certificates = go_objects(test_src)
    cases = []
    for name in sorted(git_ls(a.istio, f"{GW}/testdata")):
        if name.endswith(".yaml") and name[:-5] + ".yaml.golden" in git_ls(a.istio, f"{GW}/testdata"):
            cases.append(("gateway", name[:-5]))
    for name in sorted(git_ls(a.istio, f"{ING}/testdata")):
        if name.endswith(".yaml"):
            cases.append(("ingress", name[:-5]))
    if a.case:
        cases = [c for c in cases if c[1] in a.case]

    total = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        svc_file = os.path.join(tmp, "services.yaml")
        with open(svc_file, "w") as f:
            yaml.safe_dump_all(services, f)
        mesh_file = os.path.join(tmp, "mesh.yaml")
        with open(mesh_file, "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n"
                    "data:\n  mesh: |\n    ingressControllerMode: DEFAULT\n")
        for family, name in cases:
            base = f"{GW if family == 'gateway' else ING}/testdata/{name}"
            src = git_show(a.istio, base + ".yaml")
            golden = git_show(a.istio, base + ".yaml.golden")
            if src is None or golden is None:
                continue
            inp = os.path.join(tmp, f"case-{family}-{name}.yaml")
            with open(inp, "w") as f:
                f.write(normal(src))
            # The Go test adds a Namespace for each namespace of the input, labelled
            # istio.io/test-name-part with the name's first dash-separated part (readConfig).
            nss = sorted({(d.get("metadata") or {}).get("namespace") for d in load_docs(src)} - {None})
            ns_file = os.path.join(tmp, f"namespaces-{family}-{name}.yaml")
            with open(ns_file, "w") as f:
                yaml.safe_dump_all([{"apiVersion": "v1", "kind": "Namespace",
                                     "metadata": {"name": n, "labels": {"istio.io/test-name-part": n.split("-")[0]}}}
                                    for n in nss], f)
            # The Go test's Secrets and ConfigMaps, of the namespaces this case names: istiod reads
            # namespaces from Namespace objects only, we also from where objects live, so a
            # Secret in a namespace the case never mentions would add that namespace here.
            cert_file = os.path.join(tmp, f"certificates-{family}-{name}.yaml")
            with open(cert_file, "w") as f:
                yaml.safe_dump_all([d for d in certificates
                                    if re.search(r"\b%s\b" % re.escape(d["metadata"]["namespace"]), src)], f)
            files = [svc_file, ns_file, cert_file, inp] if family == "gateway" else [mesh_file, inp]
            c = collections.Counter()
            ours = run(a.bin, [], files)
            if ours is None:
                c["failed"] += 1
                ours = []
            want = {key(d): d for d in load_docs(golden) if d.get("kind") in DERIVED_KINDS}
            got = {key(d): d for d in ours}
            notes = []
            for k in sorted(set(want) | set(got), key=str):
                if k not in got:
                    c["only_istiod"] += 1
                    notes.append(f"  only istiod: {k}")
                    c["leaf_total"] += sum(1 for _ in leaves(comparable(want[k])))
                    continue
                if k not in want:
                    c["only_ours"] += 1
                    notes.append(f"  only ours: {k}")
                    c["leaf_total"] += sum(1 for _ in leaves(comparable(got[k])))
                    continue
                w, g = dict(leaves(comparable(want[k]))), dict(leaves(comparable(got[k])))
                eq = sum(1 for p in w if p in g and g[p] == w[p])
                c["leaf_equal"] += eq
                c["leaf_total"] += len(set(w) | set(g))
                if eq == len(w) == len(g):
                    c["equal"] += 1
                else:
                    c["different"] += 1
                    diff = [p for p in sorted(set(w) | set(g)) if w.get(p) != g.get(p)][:4]
                    notes.append(f"  different: {k}: " + "; ".join(f"{p} istiod={w.get(p)!r} ours={g.get(p)!r}" for p in diff))
            status_golden = git_show(a.istio, base + ".status.yaml.golden")
            if status_golden is not None:
                ours_status = run(a.bin, ["--status"], files) or []
                want_s = {key(d): status_leaves(d) for d in load_docs(status_golden) if d.get("kind") in STATUS_KINDS}
                got_s = {key(d): status_leaves(d) for d in ours_status}
                for k, w in want_s.items():
                    g = got_s.get(k, {})
                    for p, v in w.items():
                        c["status_total"] += 1
                        if g.get(p) == v:
                            c["status_equal"] += 1
                        elif a.verbose:
                            notes.append(f"  status {k} {p}: istiod={v!r} ours={g.get(p)!r}")
            total.update(c)
            pct = lambda e, t: f"{100.0 * e / t:.1f}%" if t else "n/a"
            print(f"{family}/{name}: objects equal {c['equal']}, different {c['different']}, only istiod {c['only_istiod']}, "
                  f"only ours {c['only_ours']}; leaves {pct(c['leaf_equal'], c['leaf_total'])}; "
                  f"status {pct(c['status_equal'], c['status_total'])}" + (" (convert failed)" if c["failed"] else ""))
            if a.verbose:
                print("\n".join(notes))
    pct = lambda e, t: f"{100.0 * e / t:.1f}%" if t else "n/a"
    objs = total["equal"] + total["different"] + total["only_istiod"] + total["only_ours"]
    print(f"\nistiod conversion goldens: {len(cases)} cases; derived objects equal {total['equal']} of {objs} "
          f"({pct(total['equal'], objs)}); leaf agreement {pct(total['leaf_equal'], total['leaf_total'])}; "
          f"status conditions {pct(total['status_equal'], total['status_total'])} of {total['status_total']}")


if __name__ == "__main__":
    sys.exit(main())
