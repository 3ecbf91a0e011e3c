//! Port protocols, as istiod derives them from port names, appProtocol and ServiceEntry fields
//! (pkg/config/protocol, pkg/config/kube/conversion.go).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Protocol {
    Http,
    Http2,
    Grpc,
    GrpcWeb,
    Https,
    Tls,
    Tcp,
    Udp,
    Mongo,
    Redis,
    Mysql,
    HttpProxy,
    /// Not declared: istiod sniffs the protocol (HTTP or TCP) at runtime.
    Unsupported,
}

impl Protocol {
    /// Istio's `protocol.Parse`: case-insensitive, unknown names are `Unsupported`.
    pub fn parse(s: &str) -> Protocol {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "grpc" => Protocol::Grpc,
            "grpc-web" => Protocol::GrpcWeb,
            "http" => Protocol::Http,
            "http_proxy" => Protocol::HttpProxy,
            "http2" => Protocol::Http2,
            "https" => Protocol::Https,
            "tls" => Protocol::Tls,
            "mongo" => Protocol::Mongo,
            "redis" => Protocol::Redis,
            "mysql" => Protocol::Mysql,
            _ => Protocol::Unsupported,
        }
    }

    /// A Kubernetes Service port: appProtocol wins, then the port name's prefix before `-`;
    /// a few well-known ports default to TCP.
    pub fn from_kube_port(
        port: u32,
        name: &str,
        l4: Option<&str>,
        app_protocol: Option<&str>,
    ) -> Protocol {
        if l4.is_some_and(|p| p.eq_ignore_ascii_case("UDP")) {
            return Protocol::Udp;
        }
        let mut name = name;
        if let Some(app) = app_protocol {
            match app {
                "kubernetes.io/h2c" => return Protocol::Http2,
                "kubernetes.io/ws" => return Protocol::Http,
                "kubernetes.io/wss" => return Protocol::Https,
                _ => name = app,
            }
        }
        if name.len() >= 8 && name[..8].eq_ignore_ascii_case("grpc-web") {
            return Protocol::GrpcWeb;
        }
        let prefix = name.split('-').next().unwrap_or("");
        match Protocol::parse(prefix) {
            Protocol::Unsupported if matches!(port, 25 | 53 | 3306 | 27017) => Protocol::Tcp,
            p => p,
        }
    }

    pub fn is_http(self) -> bool {
        matches!(
            self,
            Protocol::Http
                | Protocol::Http2
                | Protocol::HttpProxy
                | Protocol::Grpc
                | Protocol::GrpcWeb
        )
    }

    pub fn is_http2(self) -> bool {
        matches!(self, Protocol::Http2 | Protocol::Grpc | Protocol::GrpcWeb)
    }

    pub fn is_grpc(self) -> bool {
        matches!(self, Protocol::Grpc | Protocol::GrpcWeb)
    }

    pub fn is_tcp(self) -> bool {
        matches!(
            self,
            Protocol::Tcp
                | Protocol::Https
                | Protocol::Tls
                | Protocol::Mongo
                | Protocol::Redis
                | Protocol::Mysql
        )
    }

    pub fn is_tls(self) -> bool {
        matches!(self, Protocol::Https | Protocol::Tls)
    }

    pub fn is_unsupported(self) -> bool {
        matches!(self, Protocol::Unsupported)
    }

    pub fn name(self) -> &'static str {
        match self {
            Protocol::Http => "HTTP",
            Protocol::Http2 => "HTTP2",
            Protocol::Grpc => "GRPC",
            Protocol::GrpcWeb => "GRPC-Web",
            Protocol::Https => "HTTPS",
            Protocol::Tls => "TLS",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Mongo => "Mongo",
            Protocol::Redis => "Redis",
            Protocol::Mysql => "MySQL",
            Protocol::HttpProxy => "HTTP_PROXY",
            Protocol::Unsupported => "UnsupportedProtocol",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_port_names() {
        assert_eq!(
            Protocol::from_kube_port(9080, "http", None, None),
            Protocol::Http
        );
        assert_eq!(
            Protocol::from_kube_port(80, "http2-web", None, None),
            Protocol::Http2
        );
        assert_eq!(
            Protocol::from_kube_port(80, "grpc-web-x", None, None),
            Protocol::GrpcWeb
        );
        assert_eq!(
            Protocol::from_kube_port(80, "web", None, None),
            Protocol::Unsupported
        );
        assert_eq!(
            Protocol::from_kube_port(3306, "db", None, None),
            Protocol::Tcp
        );
        assert_eq!(
            Protocol::from_kube_port(80, "web", None, Some("http")),
            Protocol::Http
        );
        assert_eq!(
            Protocol::from_kube_port(53, "dns", Some("UDP"), None),
            Protocol::Udp
        );
    }
}
