//! Route rules that can never be used (IST0130) and matches that an earlier match shadows
//! (IST0131), as Istio's VirtualService validation finds them.

use super::{codes, fp, Ctx};
use crate::istio::networking::{HttpMatch, HttpRoute};
use crate::istio::StringMatch;
use crate::parse::Object;
use crate::sorted::SortedMap;

pub(super) fn check(ctx: &mut Ctx) {
    let mesh = ctx.mesh;
    for (obj, vs) in mesh.virtual_services() {
        if !Ctx::is_user(obj) {
            continue;
        }
        http(ctx, obj, &vs.http);
        let tcp: Vec<Vec<_>> = vs.tcp.iter().map(|r| r.matches.iter().collect()).collect();
        l4(ctx, obj, "tcp", &tcp);
        let tls: Vec<Vec<_>> = vs.tls.iter().map(|r| r.matches.iter().collect()).collect();
        l4(ctx, obj, "tls", &tls);
    }
}

fn route_name(r: &HttpRoute, n: usize) -> String {
    match r.name.as_deref().filter(|s| !s.is_empty()) {
        Some(name) => format!("{name:?}"),
        None => format!("#{n}"),
    }
}

fn match_name(m: &HttpMatch, n: usize) -> String {
    match m.name.as_deref().filter(|s| !s.is_empty()) {
        Some(name) => format!("{name:?}"),
        None => format!("#{n}"),
    }
}

fn unreachable(ctx: &mut Ctx, obj: &Object, at: &[String], rule: &str, reason: &str) {
    ctx.report(
        codes::VIRTUAL_SERVICE_UNREACHABLE_RULE,
        obj,
        at,
        format!("VirtualService rule {rule} not used ({reason})."),
    );
}

fn ineffective(ctx: &mut Ctx, obj: &Object, at: &[String], rule: &str, m: &str, dup: &str) {
    ctx.report(
        codes::VIRTUAL_SERVICE_INEFFECTIVE_MATCH,
        obj,
        at,
        format!(
            "VirtualService rule {rule} match {m} is not used (duplicate/overlapping match in rule {dup})."
        ),
    );
}

/// A prefix-URI match reduced to what the overlap check compares.
struct Prefixed {
    route: String,
    match_name: String,
    rule: usize,
    index: usize,
    prefix: String,
    port: Option<u32>,
    method: String,
    authority: String,
    headers: SortedMap<String, String>,
    query: SortedMap<String, String>,
    without: SortedMap<String, String>,
}

fn exact_or_prefix(sm: Option<&StringMatch>) -> String {
    match sm {
        Some(StringMatch { exact: Some(e), .. }) if !e.is_empty() => format!("exact:{e}"),
        Some(StringMatch {
            prefix: Some(p), ..
        }) if !p.is_empty() => format!("prefix:{p}"),
        _ => String::new(),
    }
}

fn map(m: &SortedMap<String, StringMatch>) -> SortedMap<String, String> {
    m.iter()
        .map(|(k, v)| (k.clone(), exact_or_prefix(Some(v))))
        .collect()
}

fn prefixed(route: &HttpRoute, m: &HttpMatch, rule: usize, index: usize) -> Option<Prefixed> {
    let prefix = m.uri.as_ref()?.prefix.clone().filter(|p| !p.is_empty())?;
    let mut method = exact_or_prefix(m.method.as_ref());
    if method.is_empty() {
        method = "exact:GET".into();
    }
    Some(Prefixed {
        route: route_name(route, rule),
        match_name: match_name(m, index),
        rule,
        index,
        prefix,
        port: m.port.filter(|p| *p != 0),
        method,
        authority: exact_or_prefix(m.authority.as_ref()),
        headers: map(&m.headers),
        query: map(&m.query_params),
        without: map(&m.without_headers),
    })
}

/// Does the earlier match `a` cover the later match `b`?
fn covers(a: &Prefixed, b: &Prefixed) -> bool {
    let field = |x: &str, y: &str| x == y || x.starts_with(y);
    let maps = |x: &SortedMap<String, String>, y: &SortedMap<String, String>| {
        x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| field(v, w)))
    };
    b.prefix.starts_with(&a.prefix)
        && a.port == b.port
        && field(&a.method, &b.method)
        && field(&a.authority, &b.authority)
        && maps(&a.headers, &b.headers)
        && maps(&a.query, &b.query)
        && maps(&a.without, &b.without)
}

fn http(ctx: &mut Ctx, obj: &Object, routes: &[HttpRoute]) {
    let mut seen: Vec<(HttpMatch, usize)> = Vec::new();
    let mut catch_all: Option<usize> = None;
    let mut prefixes: Vec<Prefixed> = Vec::new();
    for (n, route) in routes.iter().enumerate() {
        let name = route_name(route, n);
        if route.matches.is_empty() {
            if catch_all.is_some() {
                unreachable(
                    ctx,
                    obj,
                    fp!["spec", "http", n],
                    &name,
                    "only the last rule can have no matches",
                );
            }
            catch_all = Some(n);
            continue;
        }
        let mut duplicates = 0;
        for (m, mt) in route.matches.iter().enumerate() {
            if catch_all.is_some() {
                unreachable(
                    ctx,
                    obj,
                    fp!["spec", "http", n],
                    &name,
                    "route without matches defined before",
                );
                continue;
            }
            let mut key = mt.clone();
            key.name = None;
            if let Some((_, dup)) = seen.iter().find(|(k, _)| *k == key) {
                let dup = *dup;
                ineffective(
                    ctx,
                    obj,
                    fp!["spec", "http", n, "match", m],
                    &name,
                    &match_name(mt, m),
                    &route_name(&routes[dup], dup),
                );
                duplicates += 1;
                continue;
            }
            seen.push((key, n));
            if let Some(p) = prefixed(route, mt, n, m) {
                prefixes.push(p);
            }
        }
        if duplicates == route.matches.len() {
            unreachable(
                ctx,
                obj,
                fp!["spec", "http", n],
                &name,
                "all matches used by prior rules",
            );
        }
    }
    for (i, a) in prefixes.iter().enumerate() {
        for b in &prefixes[i + 1..] {
            if a.prefix == b.prefix || !covers(a, b) {
                continue;
            }
            ineffective(
                ctx,
                obj,
                fp!["spec", "http", b.rule, "match", b.index],
                &b.route,
                &format!("{} of prefix {}", b.match_name, b.prefix),
                &format!("{} of prefix {} on {}", a.match_name, a.prefix, a.route),
            );
        }
    }
}

fn l4<M: PartialEq>(ctx: &mut Ctx, obj: &Object, kind: &str, routes: &[Vec<&M>]) {
    let mut seen: Vec<(&M, usize)> = Vec::new();
    let mut catch_all: Option<usize> = None;
    for (n, matches) in routes.iter().enumerate() {
        let name = format!("#{n}");
        if matches.is_empty() {
            if catch_all.is_some() {
                unreachable(
                    ctx,
                    obj,
                    fp!["spec", kind, n],
                    &name,
                    "only the last rule can have no matches",
                );
            }
            catch_all = Some(n);
            continue;
        }
        let mut duplicates = 0;
        for (m, mt) in matches.iter().enumerate() {
            if catch_all.is_some() {
                unreachable(
                    ctx,
                    obj,
                    fp!["spec", kind, n],
                    &name,
                    "route without matches defined before",
                );
                continue;
            }
            if let Some((_, dup)) = seen.iter().find(|(k, _)| *k == *mt) {
                let dup = *dup;
                ineffective(
                    ctx,
                    obj,
                    fp!["spec", kind, n, "match", m],
                    &name,
                    &format!("#{m}"),
                    &format!("#{dup}"),
                );
                duplicates += 1;
            } else {
                seen.push((mt, n));
            }
        }
        if duplicates == matches.len() {
            unreachable(
                ctx,
                obj,
                fp!["spec", kind, n],
                &name,
                "all matches used by prior rules",
            );
        }
    }
}
