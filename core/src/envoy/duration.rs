//! Durations: Istio's strings (`10s`, `0.5s`, `1m`, `100ms`, `1h30m`) read as Go's
//! time.ParseDuration reads them, written the way protobuf JSON writes them (`0.500s`).

/// A parsed duration in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(pub u128);

impl Duration {
    pub fn from_secs(s: u64) -> Duration {
        Duration(u128::from(s) * 1_000_000_000)
    }

    /// Parse `1h2m3.5s`, `250ms`, `7s`: units h, m, s, ms, us (µs), ns. Negative or unit-less
    /// values (other than `0`) are rejected, as Istio's validation does.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let s = text.trim();
        if s == "0" {
            return Ok(Duration(0));
        }
        if s.is_empty() {
            return Err("empty duration".into());
        }
        let bytes = s.as_bytes();
        let mut i = 0;
        let mut total: f64 = 0.0;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            if start == i {
                return Err(format!(
                    "invalid duration {text:?}: expected a number at {:?}",
                    &s[start..]
                ));
            }
            let number: f64 = s[start..i]
                .parse()
                .map_err(|_| format!("invalid duration {text:?}"))?;
            let unit_start = i;
            while i < bytes.len() && !(bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let scale = match &s[unit_start..i] {
                "h" => 3.6e12,
                "m" => 6e10,
                "s" => 1e9,
                "ms" => 1e6,
                "us" | "µs" => 1e3,
                "ns" => 1.0,
                "" => {
                    return Err(format!(
                        "invalid duration {text:?}: missing unit (s, ms, m, h)"
                    ))
                }
                u => return Err(format!("invalid duration {text:?}: unknown unit {u:?}")),
            };
            total += number * scale;
        }
        if !total.is_finite() || total > 3.15e20 {
            return Err(format!("invalid duration {text:?}: too large"));
        }
        Ok(Duration(total.round() as u128))
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// protobuf JSON: whole seconds, then 3, 6 or 9 fractional digits as needed.
    pub fn to_json(self) -> String {
        let secs = self.0 / 1_000_000_000;
        let nanos = self.0 % 1_000_000_000;
        if nanos == 0 {
            crate::join!(secs, "s")
        } else if nanos % 1_000_000 == 0 {
            format!("{secs}.{:03}s", nanos / 1_000_000)
        } else if nanos % 1_000 == 0 {
            format!("{secs}.{:06}s", nanos / 1_000)
        } else {
            format!("{secs}.{nanos:09}s")
        }
    }
}

/// An Istio duration string as protobuf JSON, or the original text when it does not parse
/// (validation reports it; translation never fails on it).
pub fn json(text: &str) -> String {
    Duration::parse(text).map_or_else(|_| text.to_string(), Duration::to_json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go_and_prints_like_protobuf() {
        assert_eq!(json("10s"), "10s");
        assert_eq!(json("0.5s"), "0.500s");
        assert_eq!(json("1m"), "60s");
        assert_eq!(json("100ms"), "0.100s");
        assert_eq!(json("1h30m"), "5400s");
        assert_eq!(json("1.5us"), "0.000001500s");
        assert!(Duration::parse("10").is_err());
        assert!(Duration::parse("-1s").is_err());
        assert!(Duration::parse("1d").is_err());
        assert_eq!(Duration::parse("0").unwrap(), Duration(0));
    }
}
