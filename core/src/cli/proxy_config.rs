//! `pilotlight proxies` and `pilotlight proxy-config`.

use super::Args;
use crate::envoy::Value;
use crate::envoy::{dump, tables, ProxyConfig};
use crate::translate::names::type_url;
use crate::{translate, Loaded};
use std::io::Write;

pub fn proxies(loaded: &Loaded, out: &mut dyn Write) -> Result<(), String> {
    let mut t = vec![vec![
        "NAME".to_string(),
        "NAMESPACE".into(),
        "KIND".into(),
        "IP".into(),
        "WORKLOAD".into(),
    ]];
    for p in loaded.mesh.proxies() {
        t.push(vec![
            p.name.clone(),
            p.namespace.clone(),
            p.kind.name().into(),
            p.ip().into(),
            p.workload.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| t.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    for row in t {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:w$}", w = widths[i] + 4))
            .collect();
        writeln!(out, "{}", line.concat().trim_end()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn print_value(value: &Value, format: &str, out: &mut dyn Write) -> Result<(), String> {
    let text = match format {
        "json" => serde_json::to_string_pretty(value).map_err(|e| e.to_string())? + "\n",
        "yaml" => crate::envoy::yaml::to_string(value),
        other => {
            return Err(format!(
                "unknown output format {other:?} (short, json or yaml)"
            ))
        }
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

pub fn run(args: &Args, loaded: &Loaded, out: &mut dyn Write) -> Result<(), String> {
    let [what, proxy_name] = args.positional.as_slice() else {
        return Err("usage: pilotlight proxy-config {listeners|routes|clusters|endpoints|all} PROXY -f FILE...".into());
    };
    let Some(proxy) = loaded.mesh.find_proxy(proxy_name) else {
        let known: Vec<String> = loaded.mesh.proxies().iter().map(|p| p.id()).collect();
        return Err(format!(
            "no proxy {proxy_name:?}; the mesh has: {}",
            known.join(", ")
        ));
    };
    let format = args.output.as_deref().unwrap_or("short");
    if matches!(what.as_str(), "envoyfilters" | "envoyfilter" | "ef") {
        return envoy_filters(loaded, proxy, format, out);
    }
    let full: ProxyConfig = translate::proxy_config(&loaded.mesh, proxy);
    // As istioctl: `all -o json|yaml` is the whole config dump; everything else is filtered.
    if what == "all" && format != "short" {
        return print_value(&dump::config_dump(&full), format, out);
    }
    let config = super::filter::Filters::from_args(args).apply(&full);
    type TableFn = fn(&ProxyConfig) -> tables::Table;
    let (table, resources, url): (TableFn, &[Value], &str) = match what.as_str() {
        "listeners" | "listener" | "l" => {
            (tables::listeners, &config.listeners, type_url::LISTENER)
        }
        "routes" | "route" | "r" => (
            tables::routes,
            &config.routes,
            type_url::ROUTE_CONFIGURATION,
        ),
        "clusters" | "cluster" | "c" => (tables::clusters, &config.clusters, type_url::CLUSTER),
        "endpoints" | "endpoint" | "ep" => (
            tables::endpoints,
            &config.endpoints,
            type_url::CLUSTER_LOAD_ASSIGNMENT,
        ),
        "all" => {
            // The short form (-o json|yaml printed the dump above).
            for (title, t) in [
                ("CLUSTERS", tables::clusters(&config)),
                ("LISTENERS", tables::listeners(&config)),
                ("ROUTES", tables::routes(&config)),
                ("ENDPOINTS", tables::endpoints(&config)),
            ] {
                write!(out, "{title}\n{}\n", t.render()).map_err(|e| e.to_string())?;
            }
            return Ok(());
        }
        other => {
            return Err(format!(
                "unknown resource {other:?}: listeners, routes, clusters, endpoints, all or envoyfilters"
            ))
        }
    };
    match format {
        "short" => out
            .write_all(table(&config).render().as_bytes())
            .map_err(|e| e.to_string()),
        f => print_value(&dump::typed_list(resources, url), f, out),
    }
}

/// `pilotlight proxy-config envoyfilters PROXY`: what each EnvoyFilter patch changed in this
/// proxy's config, then the patches that changed nothing anywhere, with the reason.
fn envoy_filters(
    loaded: &Loaded,
    proxy: &crate::Proxy,
    format: &str,
    out: &mut dyn Write,
) -> Result<(), String> {
    let reports = translate::envoyfilter::explain::explain(&loaded.mesh);
    let id = proxy.id();
    let mut rows = vec![vec![
        "ENVOYFILTER".to_string(),
        "PATCH".into(),
        "OPERATION".into(),
        "RESOURCE".into(),
        "NAME".into(),
        "PATH".into(),
    ]];
    let mut json = Vec::new();
    let mut unapplied = Vec::new();
    for r in &reports {
        let patch = format!("configPatches[{}]", r.patch.index);
        for (p, changes) in &r.changed {
            if *p != id {
                continue;
            }
            for c in changes {
                rows.push(vec![
                    r.envoy_filter.clone(),
                    patch.clone(),
                    c.operation.name().into(),
                    c.resource.name().into(),
                    c.name.clone(),
                    c.path.clone(),
                ]);
                json.push(serde_json::json!({
                    "envoyFilter": r.envoy_filter, "patch": r.patch.index,
                    "file": r.file, "line": r.span.start_line,
                    "operation": c.operation.name(), "resource": c.resource.name(),
                    "name": c.name, "path": c.path,
                }));
            }
        }
        if !r.applied() {
            unapplied.push(serde_json::json!({
                "envoyFilter": r.envoy_filter, "patch": r.patch.index,
                "file": r.file, "line": r.span.start_line,
                "applyTo": r.apply_to, "operation": r.operation,
                "reasons": r.reasons, "notModelled": r.not_modelled,
            }));
        }
    }
    if format != "short" {
        let v = serde_json::json!({"proxy": id, "changes": json, "notApplied": unapplied});
        return print_value(&Value::from(v), format, out);
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:w$}", w = widths[i] + 3))
            .collect();
        text.push_str(line.concat().trim_end());
        text.push('\n');
    }
    for u in &unapplied {
        text.push_str(&format!(
            "\n{} configPatches[{}] ({}:{}) changes no proxy: {}\n",
            u["envoyFilter"].as_str().unwrap_or_default(),
            u["patch"],
            u["file"].as_str().unwrap_or_default(),
            u["line"],
            u["reasons"]
                .as_array()
                .map(|r| r
                    .iter()
                    .filter_map(|x| x.as_str())
                    .collect::<Vec<_>>()
                    .join("; "))
                .unwrap_or_default()
        ));
    }
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())
}
