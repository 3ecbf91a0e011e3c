//! istioctl's `externalcontrolplane.ExternalControlPlaneAnalyzer`: Istio's validating and
//! injection webhooks on a remote cluster must reach the external control plane by a URL or a
//! Service (IST0163), preferably by hostname rather than IP address (IST0164).

use super::sources::{objects, SourceObject};
use super::{codes, Ctx};
use crate::parse::SourceFile;
use crate::yaml::Node;

pub(super) fn check(ctx: &mut Ctx, files: &[SourceFile]) {
    let group = "admissionregistration.k8s.io/";
    for obj in objects(files, "ValidatingWebhookConfiguration", group) {
        let name = obj.name();
        if name == "istiod-default-validator" || name.starts_with("istio-validator") {
            hooks(ctx, &obj);
        }
    }
    for obj in objects(files, "MutatingWebhookConfiguration", group) {
        if obj.name().starts_with("istio-sidecar-injector") {
            hooks(ctx, &obj);
        }
    }
}

fn hooks(ctx: &mut Ctx, obj: &SourceObject) {
    let display = obj.display(true);
    let hooks = obj
        .root
        .get("webhooks")
        .and_then(Node::as_seq)
        .unwrap_or(&[]);
    for (i, hook) in hooks.iter().enumerate() {
        let hook_name = hook.get("name").and_then(Node::as_str).unwrap_or("");
        let i = i.to_string();
        let config = hook.get("clientConfig");
        let url = config
            .and_then(|c| c.get("url"))
            .filter(|u| !u.is_null())
            .and_then(Node::as_str);
        let has_service = config
            .and_then(|c| c.get("service"))
            .is_some_and(|s| !s.is_null());
        match url {
            Some(url) => {
                let span = obj.span(&["webhooks", &i, "clientConfig", "url"]);
                match url_host(url) {
                    None => ctx.report_at(
                        codes::INVALID_EXTERNAL_CONTROL_PLANE_CONFIG,
                        obj.file,
                        span,
                        &display,
                        format!("The hostname ({url}) that was provided for the webhook ({hook_name}) to reach the ingress gateway on the external control plane cluster was provided in an invalid format. Traffic may not flow properly."),
                    ),
                    Some(host) if host.parse::<std::net::IpAddr>().is_ok() => ctx.report_at(
                        codes::EXTERNAL_CONTROL_PLANE_ADDRESS_IS_NOT_A_HOSTNAME,
                        obj.file,
                        span,
                        &display,
                        format!("The address ({url}) that was provided for the webhook ({hook_name}) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment."),
                    ),
                    Some(_) => {}
                }
            }
            None if !has_service => ctx.report_at(
                codes::INVALID_EXTERNAL_CONTROL_PLANE_CONFIG,
                obj.file,
                obj.span(&["webhooks", &i, "clientConfig"]),
                &display,
                format!("The hostname () that was provided for the webhook ({hook_name}) to reach the ingress gateway on the external control plane cluster is blank. Traffic may not flow properly."),
            ),
            None => {}
        }
    }
}

/// The host of a URL (without port or brackets), as Go's `url.Parse(..).Hostname()`; `None`
/// when the URL cannot be parsed (spaces or control characters, a bad `%` escape).
fn url_host(url: &str) -> Option<&str> {
    if url.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    let bytes = url.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !hex(i + 1) || !hex(i + 2) {
                return None;
            }
        }
    }
    let Some((_, rest)) = url.split_once("://") else {
        // No authority: Go parses a path, whose host is empty.
        return Some("");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split_once(']').map(|(h, _)| h);
    }
    Some(host_port.split_once(':').map_or(host_port, |(h, _)| h))
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn hosts_as_go_reads_them() {
        assert_eq!(url_host("https://1.1.1.1:5100/inject"), Some("1.1.1.1"));
        assert_eq!(
            url_host("https://test.com:15017/validate"),
            Some("test.com")
        );
        assert_eq!(url_host("https://[::1]:443/x"), Some("::1"));
        assert_eq!(url_host("https://u@host/x"), Some("host"));
        assert_eq!(url_host("https://bad host/x"), None);
        assert_eq!(url_host("https://host/%zz"), None);
    }
}
