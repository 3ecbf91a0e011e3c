//! The share-link decoder: a link is untrusted input. Odd first byte: the rest is the link text
//! as pasted; even: the rest is the JSON inside a link (packed here as the page packs it), so the
//! fuzzer reaches the content checks past base64 and DEFLATE. A decoded state must survive a
//! round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use pilotlight_core::share;

/// `1.<base64url(raw DEFLATE(json))>`, the version-1 link format.
fn pack_v1(json: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json, 1);
    format!("1.{}", URL_SAFE_NO_PAD.encode(packed))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let decoded = if mode & 1 == 1 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let _ = share::parse_params(text, text);
        share::decode(text)
    } else {
        share::decode(&pack_v1(rest))
    };
    if let Ok(state) = decoded {
        let again = share::decode(&share::encode(&state));
        assert_eq!(again.as_ref(), Ok(&state), "a decoded state re-encodes to itself");
    }
});
