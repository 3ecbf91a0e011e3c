//! The names istiod gives Envoy resources (pilot/pkg/model/service.go, gateway.go, listener.go).
//! Kept in one place: listeners, routes and clusters must agree on them exactly.

pub use crate::envoy::type_url;

/// A piece of a name for [`join!`](crate::join): text, or a number written in decimal.
pub trait Piece {
    /// Bytes this piece will write.
    fn width(&self) -> usize;
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn width(&self) -> usize {
        str::len(self)
    }
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn width(&self) -> usize {
        (**self).width()
    }
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out)
    }
}

impl Piece for String {
    fn width(&self) -> usize {
        self.as_str().len()
    }
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

macro_rules! decimal_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn width(&self) -> usize {
                self.checked_ilog10().map_or(1, |d| d as usize + 1)
            }
            fn push_to(&self, out: &mut String) {
                let mut digits = [0u8; 39];
                let mut n = *self;
                let mut at = digits.len();
                loop {
                    at -= 1;
                    digits[at] = b'0' + (n % 10) as u8;
                    n /= 10;
                    if n == 0 {
                        break;
                    }
                }
                out.extend(digits[at..].iter().map(|&d| char::from(d)));
            }
        }
    )*};
}
decimal_piece!(u16, u32, u64, u128);

/// Joins pieces into one exactly-sized `String`.
pub fn join(pieces: &[&dyn Piece]) -> String {
    let mut out = String::with_capacity(pieces.iter().map(|p| p.width()).sum());
    for p in pieces {
        p.push_to(&mut out);
    }
    out
}

/// `join!("outbound|", port, "|", subset)`: `format!` for the names built for every cluster and
/// route of a sidecar. `format!`'s general machinery and re-growth cost about a tenth of a large
/// sidecar's translation; this sizes the string once and copies the pieces.
#[macro_export]
macro_rules! join {
    ($($piece:expr),+ $(,)?) => {
        $crate::translate::names::join(&[$(&$piece as &dyn $crate::translate::names::Piece),+])
    };
}

/// `outbound|9080|v1|reviews.default.svc.cluster.local` (model.BuildSubsetKey).
pub fn outbound_cluster(port: u32, subset: &str, host: &str) -> String {
    crate::join!("outbound|", port, "|", subset, "|", host)
}

/// `inbound|9080||` (model.BuildInboundSubsetKey): the workload's port, empty subset and host.
pub fn inbound_cluster(port: u32) -> String {
    crate::join!("inbound|", port, "||")
}

/// `outbound_.9080_.v1_.reviews.default.svc.cluster.local`, the default mTLS SNI of a cluster.
pub fn outbound_sni(port: u32, subset: &str, host: &str) -> String {
    crate::join!("outbound_.", port, "_.", subset, "_.", host)
}

/// `0.0.0.0_9080` or `10.96.0.1_443`.
pub fn listener(bind: &str, port: u32) -> String {
    format!("{bind}_{port}")
}

// The resources istiod generates under fixed names; istioctl's tables recognise them too.
pub use crate::envoy::well_known::*;

/// The route config of a gateway server: `http.8080` for plain HTTP (listener port),
/// `https.443.https.gw.ns` for terminated HTTPS (server port), none for TCP and TLS passthrough
/// (pilot/pkg/model/gateway.go gatewayRDSRouteName).
pub fn gateway_route_config(
    server: &crate::istio::networking::Server,
    listener_port: u32,
    gateway: &crate::parse::Object,
) -> Option<String> {
    let protocol = crate::mesh::Protocol::parse(&server.port.protocol);
    let passthrough = server.is_tls_passthrough();
    let bind = server
        .bind
        .as_deref()
        .filter(|b| !b.is_empty())
        .map(|b| format!(".{b}"))
        .unwrap_or_default();
    if protocol.is_http() {
        Some(format!("http.{listener_port}{bind}"))
    } else if protocol == crate::mesh::Protocol::Https && !passthrough {
        Some(format!(
            "https.{}.{}.{}.{}{bind}",
            server.port.number,
            server.port.name,
            gateway.name(),
            gateway.namespace()
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn join_writes_what_format_writes() {
        assert_eq!(crate::join!(u64::MAX, "s"), format!("{}s", u64::MAX));
        for port in [0u32, 7, 80, 9080, 15006, u32::MAX] {
            assert_eq!(
                super::outbound_cluster(port, "v1", "reviews.default.svc.cluster.local"),
                format!("outbound|{port}|v1|reviews.default.svc.cluster.local")
            );
        }
        let owned = String::from("x");
        assert_eq!(crate::join!(owned, ":", 1u32, &owned), "x:1x");
    }
}
