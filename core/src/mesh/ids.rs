//! Deterministic names and addresses for what a cluster would allocate: pod names, pod IPs and
//! ClusterIPs. They depend only on the object's own identity, so editing one object never
//! renumbers another (a stable IP keeps a shared link's output stable).

use std::collections::HashSet;

/// FNV-1a: small, stable across platforms and releases (unlike std's hasher).
pub fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn suffix(mut h: u64, len: usize) -> String {
    (0..len)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// `reviews-v1-7d8b9c6f45-x2x4k`: a ReplicaSet hash and a pod suffix, as Kubernetes names pods.
pub fn pod_name(namespace: &str, deployment: &str, replica: u32) -> String {
    let rs = hash(&format!("{namespace}/{deployment}"));
    let pod = hash(&format!("{namespace}/{deployment}/{replica}"));
    format!("{deployment}-{}-{}", suffix(rs, 10), suffix(pod, 5))
}

/// Hands out addresses in a /16, keyed by identity, probing past collisions.
pub struct Allocator {
    prefix: [u8; 2],
    used: HashSet<String>,
}

impl Allocator {
    pub fn new(prefix: [u8; 2]) -> Self {
        Allocator {
            prefix,
            used: HashSet::new(),
        }
    }

    pub fn reserve(&mut self, ip: &str) {
        self.used.insert(ip.to_string());
    }

    pub fn allocate(&mut self, key: &str) -> String {
        let mut n = (hash(key) % 65_000) as u32 + 10;
        loop {
            let ip = format!(
                "{}.{}.{}.{}",
                self.prefix[0],
                self.prefix[1],
                (n >> 8) & 0xff,
                (n & 0xff).max(1)
            );
            if self.used.insert(ip.clone()) {
                return ip;
            }
            n = (n + 1) % 65_530 + 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ips_are_stable() {
        assert_eq!(
            pod_name("default", "reviews-v1", 0),
            pod_name("default", "reviews-v1", 0)
        );
        assert_ne!(
            pod_name("default", "reviews-v1", 0),
            pod_name("default", "reviews-v1", 1)
        );
        let mut a = Allocator::new([10, 244]);
        let ip = a.allocate("default/reviews");
        let mut b = Allocator::new([10, 244]);
        b.allocate("default/other");
        assert_eq!(b.allocate("default/reviews"), ip);
        assert!(ip.starts_with("10.244."));
    }
}
