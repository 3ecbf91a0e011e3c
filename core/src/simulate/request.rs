//! The request a user sends into a proxy, and the defaults Istio's own simulator fills in
//! (`pilot/pkg/simulation/traffic.go`, `Call.FillDefaults`).

use crate::sorted::SortedMap;

use serde::{Deserialize, Serialize};

/// How the connection reaches the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The application's own connection, redirected by iptables to 15001: the listener is picked
    /// by the original destination (exact `address:port`, then `0.0.0.0:port`, then `virtualOutbound`).
    #[default]
    Outbound,
    /// A connection arriving at the workload, redirected by iptables to 15006 (`virtualInbound`).
    Inbound,
    /// No iptables (a gateway): the listener is picked by `address:port` as for outbound.
    Gateway,
}

/// The application protocol spoken inside the (optional) TLS layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Http,
    Http2,
    Tcp,
    /// An unspecified byte stream (Istio's `Protocol("")`): treated like TCP.
    #[serde(rename = "")]
    Unspecified,
}

impl Protocol {
    /// HTTP/1.1 or HTTP/2: what an HTTP connection manager can decode.
    pub fn is_http(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Http2)
    }
}

/// The TLS layer of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    #[default]
    Plaintext,
    /// TLS originated by the application (SNI = host unless given).
    Tls,
    /// Istio mutual TLS, as one sidecar sends to another.
    Mtls,
}

/// One request (or TCP connection) sent into a proxy. Every field has a default, so `{}` is a
/// valid request: `GET /` over plaintext HTTP/1.1 from outbound on port 80 to 1.3.3.7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Request {
    pub mode: Mode,
    /// Destination IP of the connection (the original destination under iptables).
    pub address: String,
    /// Destination port of the connection.
    pub port: u16,
    pub protocol: Protocol,
    pub tls: Tls,
    /// ALPN offered in the TLS handshake; filled from protocol and TLS mode when empty.
    pub alpn: String,
    /// TLS server name; the host when `tls` is `tls` and this is empty.
    pub sni: String,
    /// The Host (`:authority`) header.
    pub host: String,
    /// The `:path`, with an optional query string.
    pub path: String,
    pub method: String,
    /// Other request headers. Names are compared case-insensitively.
    pub headers: SortedMap<String, String>,
    /// The peer's identity (`cluster.local/ns/default/sa/bookinfo-productpage`), which Envoy
    /// sees only over mutual TLS (the SPIFFE URI of the client certificate).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source_principal: String,
    /// The downstream peer's IP address.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source_ip: String,
    /// A JWT given by its claims (`{"iss": ..., "sub": ..., "aud": ..., "groups": [...]}`), sent
    /// as `Authorization: Bearer`. No signature: a token is taken to be signed by its issuer's
    /// configured key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<serde_json::Value>,
}

/// Istio's simulator sends to this address when a test does not care.
pub const DEFAULT_ADDRESS: &str = "1.3.3.7";

impl Default for Request {
    fn default() -> Self {
        Request {
            mode: Mode::Outbound,
            address: String::new(),
            port: 80,
            protocol: Protocol::Http,
            tls: Tls::Plaintext,
            alpn: String::new(),
            sni: String::new(),
            host: String::new(),
            path: String::new(),
            method: String::new(),
            headers: SortedMap::new(),
            source_principal: String::new(),
            source_ip: String::new(),
            jwt: None,
        }
    }
}

impl Request {
    /// Parse a request from JSON (the CLI's `--request` and the page both use this).
    pub fn from_json(text: &str) -> Result<Request, String> {
        serde_json::from_str(text).map_err(|e| format!("invalid request JSON: {e}"))
    }

    /// The request with Istio's simulator defaults applied: address 1.3.3.7, path `/`,
    /// method GET, SNI = host for TLS, ALPN from the protocol for TLS and mTLS.
    /// A `host`/`:authority` entry in `headers` is used as the host when `host` is empty.
    pub fn with_defaults(&self) -> Request {
        let mut r = self.clone();
        if r.host.is_empty() {
            if let Some(h) = r.header("host").or_else(|| r.header(":authority")) {
                r.host = h.to_string();
            }
        }
        r.headers.retain(|k, _| {
            !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case(":authority")
        });
        if r.sni.is_empty() && r.tls == Tls::Tls {
            r.sni = r.host.clone();
        }
        if r.path.is_empty() {
            r.path = "/".to_string();
        }
        if r.method.is_empty() {
            r.method = "GET".to_string();
        }
        if r.address.is_empty() {
            r.address = DEFAULT_ADDRESS.to_string();
        }
        if r.alpn.is_empty() {
            r.alpn = match r.tls {
                Tls::Mtls => mtls_alpn(r.protocol).to_string(),
                Tls::Tls => tls_alpn(r.protocol).to_string(),
                Tls::Plaintext => String::new(),
            };
        }
        r
    }

    /// A request header by case-insensitive name. `:authority`/`host`, `:path` and `:method`
    /// come from their own fields.
    pub fn header(&self, name: &str) -> Option<&str> {
        match name.to_ascii_lowercase().as_str() {
            ":authority" | "host" if !self.host.is_empty() => return Some(&self.host),
            ":path" if !self.path.is_empty() => return Some(&self.path),
            ":method" if !self.method.is_empty() => return Some(&self.method),
            ":scheme" => {
                return Some(if self.tls == Tls::Plaintext {
                    "http"
                } else {
                    "https"
                })
            }
            _ => {}
        }
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without its query string and fragment.
    pub fn path_only(&self) -> &str {
        let end = self.path.find(['?', '#']).unwrap_or(self.path.len());
        &self.path[..end]
    }

    /// The query parameters of the path, in order.
    pub fn query_params(&self) -> Vec<(String, String)> {
        let Some(q) = self.path.split_once('?').map(|(_, q)| q) else {
            return Vec::new();
        };
        let q = q.split('#').next().unwrap_or("");
        q.split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.to_string(), String::new()),
            })
            .collect()
    }
}

/// ALPN an Istio sidecar offers when it originates mTLS.
fn mtls_alpn(p: Protocol) -> &'static str {
    match p {
        Protocol::Http => "istio-http/1.1",
        Protocol::Http2 => "istio-h2",
        _ => "istio",
    }
}

/// ALPN an application offers when it originates TLS itself.
fn tls_alpn(p: Protocol) -> &'static str {
    match p {
        Protocol::Http => "http/1.1",
        Protocol::Http2 => "h2",
        _ => "",
    }
}

/// ALPN Envoy's HTTP inspector reports for plaintext traffic.
pub(crate) fn http_inspector_alpn(p: Protocol) -> &'static str {
    match p {
        Protocol::Http => "http/1.1",
        Protocol::Http2 => "h2c",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_json_gets_istio_defaults() {
        let r = Request::from_json("{}").unwrap().with_defaults();
        assert_eq!(r.address, "1.3.3.7");
        assert_eq!(r.path, "/");
        assert_eq!(r.method, "GET");
        assert_eq!(r.tls, Tls::Plaintext);
        assert_eq!(r.alpn, "");
        assert_eq!(r.mode, Mode::Outbound);
    }

    #[test]
    fn tls_fills_sni_and_alpn() {
        let r = Request::from_json(r#"{"tls":"tls","host":"a.com","protocol":"http2"}"#)
            .unwrap()
            .with_defaults();
        assert_eq!(r.sni, "a.com");
        assert_eq!(r.alpn, "h2");
        let m = Request::from_json(r#"{"tls":"mtls","protocol":"tcp"}"#)
            .unwrap()
            .with_defaults();
        assert_eq!(m.alpn, "istio");
        assert_eq!(m.sni, "", "mTLS does not copy the host into SNI");
    }

    #[test]
    fn host_header_in_headers_is_the_host() {
        let r = Request::from_json(r#"{"headers":{"Host":"x.example"}}"#)
            .unwrap()
            .with_defaults();
        assert_eq!(r.host, "x.example");
        assert_eq!(r.header(":authority"), Some("x.example"));
        assert!(r.headers.is_empty());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(Request::from_json(r#"{"hots":"a"}"#).is_err());
    }

    #[test]
    fn query_is_split_from_path() {
        let r = Request {
            path: "/a/b?x=1&y#f".into(),
            ..Request::default()
        };
        assert_eq!(r.path_only(), "/a/b");
        assert_eq!(
            r.query_params(),
            vec![("x".into(), "1".into()), ("y".into(), String::new())]
        );
    }
}
