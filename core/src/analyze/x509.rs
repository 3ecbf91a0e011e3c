//! Just enough X.509 to do what istiod checks of a gateway certificate: PEM blocks of
//! certificates that parse as DER, none of them expired.

use base64::Engine;

/// A DER element: tag and contents, and what follows it.
fn element(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// `notAfter` of a DER certificate as `YYYYMMDDHHMMSS`.
fn not_after(der: &[u8]) -> Option<String> {
    const SEQUENCE: u8 = 0x30;
    let (tag, cert, _) = element(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (tag, tbs, _) = element(cert)?;
    if tag != SEQUENCE {
        return None;
    }
    let mut rest = tbs;
    // [0] version (optional), serialNumber, signature, issuer, then validity.
    let (tag, _, after) = element(rest)?;
    if tag == 0xa0 {
        rest = after;
    }
    for _ in 0..3 {
        rest = element(rest)?.2;
    }
    let (tag, validity, _) = element(rest)?;
    if tag != SEQUENCE {
        return None;
    }
    let (_, _, after_before) = element(validity)?;
    let (tag, time, _) = element(after_before)?;
    let time = std::str::from_utf8(time).ok()?.trim_end_matches('Z');
    match tag {
        // UTCTime: YYMMDDHHMMSS, years 50-99 in the 1900s.
        0x17 if time.len() >= 12 => {
            let yy: u32 = time[..2].parse().ok()?;
            let century = if yy >= 50 { "19" } else { "20" };
            Some(format!("{century}{}", &time[..12]))
        }
        // GeneralizedTime: YYYYMMDDHHMMSS.
        0x18 if time.len() >= 14 => Some(time[..14].to_string()),
        _ => None,
    }
}

/// The current UTC time as `YYYYMMDDHHMMSS`; `None` where the clock is unavailable (wasm).
fn now() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        None
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_secs() as i64;
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Some(format!(
            "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        ))
    }
}

/// Whether `pem` holds at least one certificate, every one parsing and none expired (expiry is
/// not checked where there is no clock).
pub(super) fn pem_certificates_valid(pem: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(pem) else {
        return false;
    };
    let now = now();
    let mut found = 0;
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let body = &rest[start + "-----BEGIN CERTIFICATE-----".len()..];
        let Some(end) = body.find("-----END CERTIFICATE-----") else {
            return false;
        };
        let b64: String = body[..end].split_whitespace().collect();
        let Ok(der) = base64::engine::general_purpose::STANDARD.decode(b64) else {
            return false;
        };
        let Some(expiry) = not_after(&der) else {
            return false;
        };
        if now.as_deref().is_some_and(|now| now > expiry.as_str()) {
            return false;
        }
        found += 1;
        rest = &body[end..];
    }
    found > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER certificate skeleton with the given notAfter (UTCTime).
    fn cert(not_after: &str) -> Vec<u8> {
        let tlv = |tag: u8, body: &[u8]| [&[tag, body.len() as u8][..], body].concat();
        let validity = tlv(
            0x30,
            &[tlv(0x17, b"200101000000Z"), tlv(0x17, not_after.as_bytes())].concat(),
        );
        let tbs = tlv(
            0x30,
            &[
                tlv(0xa0, &tlv(0x02, &[2])),
                tlv(0x02, &[1]),
                tlv(0x30, &[]),
                tlv(0x30, &[]),
                validity,
            ]
            .concat(),
        );
        tlv(0x30, &tbs)
    }

    fn pem(der: &[u8]) -> Vec<u8> {
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::engine::general_purpose::STANDARD.encode(der)
        )
        .into_bytes()
    }

    #[test]
    fn reads_not_after_and_rejects_expired_or_garbage() {
        assert_eq!(
            not_after(&cert("491231235959Z")).as_deref(),
            Some("20491231235959")
        );
        assert!(pem_certificates_valid(&pem(&cert("491231235959Z"))));
        assert!(!pem_certificates_valid(&pem(&cert("210101000000Z"))));
        assert!(!pem_certificates_valid(b"hush hush hush\n"));
        assert!(!pem_certificates_valid(&pem(b"\x30\x05junk")));
    }

    #[test]
    fn clock_reads_a_plausible_date() {
        let now = now().unwrap();
        assert_eq!(now.len(), 14);
        assert!(now.as_str() > "20240101000000", "{now}");
    }
}
