//! What istiod checks about the Secrets and ConfigMaps a Gateway's certificate references name
//! (conversion.go buildSecretReference, buildCaCertificateReference; credentials/kube
//! ExtractCertInfo, ExtractRoot): that they exist, hold the keys it reads, and that those hold PEM.
//! The PEM blocks are not parsed further: a certificate whose key does not match it passes here.

use super::World;
use crate::istio::gateway_api::{Resource, SecretData};
use crate::parse::{Kind, Spec};
use base64::Engine;

/// A Secret's values, decoded (`stringData` over `data`, as the API server merges them).
fn secret_values(s: &SecretData) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = s
        .data
        .iter()
        .map(|(k, v)| {
            let clean: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(clean.as_bytes())
                .unwrap_or_default();
            (k.clone(), bytes)
        })
        .collect();
    for (k, v) in &s.string_data {
        out.retain(|(o, _)| o != k);
        out.push((k.clone(), v.as_bytes().to_vec()));
    }
    crate::order::sort_by(&mut out, |a, b| a.0.cmp(&b.0));
    out
}

fn value<'v>(values: &'v [(String, Vec<u8>)], key: &str) -> Option<&'v [u8]> {
    values
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_slice())
}

/// The first three keys, then how many more (truncatedKeysMessage).
fn keys_message(values: &[(String, Vec<u8>)]) -> String {
    let keys: Vec<&str> = values.iter().map(|(k, _)| k.as_str()).collect();
    if keys.len() < 3 {
        keys.join(", ")
    } else {
        format!("{}, and {} more...", keys[..3].join(", "), keys.len() - 3)
    }
}

fn has_pem(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|t| t.contains("-----BEGIN ") && t.contains("-----END "))
}

impl World<'_> {
    fn secret(&self, namespace: &str, name: &str) -> Option<&SecretData> {
        match &*self.find(Kind::Secret, namespace, name)?.spec {
            Spec::GatewayApi(r) => match r.as_ref() {
                Resource::Secret(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    fn config_map(
        &self,
        namespace: &str,
        name: &str,
    ) -> Option<&crate::sorted::SortedMap<String, String>> {
        match &*self.find(Kind::ConfigMap, namespace, name)?.spec {
            Spec::ConfigMap(data) => Some(data),
            _ => None,
        }
    }

    /// Why istiod cannot serve the certificate of Secret `namespace/name`, if it cannot:
    /// `secret ns/name not found`, the keys it looked for, or a certificate without PEM data.
    pub(super) fn server_certificate_error(&self, namespace: &str, name: &str) -> Option<String> {
        let Some(secret) = self.secret(namespace, name) else {
            return Some(format!("secret {namespace}/{name} not found"));
        };
        let values = secret_values(secret);
        let pair = [("cert", "key"), ("tls.crt", "tls.key")]
            .into_iter()
            .find_map(|(c, k)| match (value(&values, c), value(&values, k)) {
                (Some(cert), Some(key)) if !cert.is_empty() && !key.is_empty() => Some((cert, key)),
                _ => None,
            });
        let Some((cert, key)) = pair else {
            for (c, k) in [("cert", "key"), ("tls.crt", "tls.key")] {
                if value(&values, c).is_some() && value(&values, k).is_some() {
                    return Some(format!("found keys {c:?} and {k:?}, but they were empty"));
                }
            }
            return Some(format!(
                "found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: {}",
                keys_message(&values)
            ));
        };
        if !has_pem(cert) {
            return Some(
                "the certificate is malformed: tls: failed to find any PEM data in certificate input"
                    .into(),
            );
        }
        if !has_pem(key) {
            return Some(
                "the certificate is malformed: tls: failed to find any PEM data in key input"
                    .into(),
            );
        }
        None
    }

    /// Why istiod cannot use the CA bundle a `caCertificateRef` names (`configmap ns/name not
    /// found`, ...), if it cannot. `secret` picks a Secret over a ConfigMap.
    pub(super) fn ca_bundle_error(
        &self,
        secret: bool,
        namespace: &str,
        name: &str,
    ) -> Option<String> {
        let values: Vec<(String, Vec<u8>)> = if secret {
            let Some(s) = self.secret(namespace, name) else {
                return Some(format!("secret {namespace}/{name} not found"));
            };
            secret_values(s)
        } else {
            let Some(cm) = self.config_map(namespace, name) else {
                return Some(format!("configmap {namespace}/{name} not found"));
            };
            cm.iter()
                .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
                .collect()
        };
        let root = ["cacert", "ca.crt"]
            .into_iter()
            .find_map(|k| value(&values, k).filter(|v| !v.is_empty()));
        let Some(root) = root else {
            for k in ["cacert", "ca.crt"] {
                if value(&values, k).is_some() {
                    return Some(format!("found key {k:?}, but it was empty"));
                }
            }
            return Some(format!(
                "found secret, but didn't have expected keys cacert or ca.crt; found: {}",
                keys_message(&values)
            ));
        };
        (!has_pem(root)).then(|| "the bundle is malformed".into())
    }
}
