//! Share links: the playground's state in a URL fragment, with no server, and the commands that take
//! the same config to a real cluster.
//!
//! # Wire format (version 1)
//!
//! A fragment is `&`-separated parameters, e.g. `#embed&view=config&s=1.<data>`:
//!
//! - `s=<version>.<data>`: the state. For version `1`, `<data>` is base64url (no padding) of raw
//!   DEFLATE (RFC 1951) of a UTF-8 JSON object:
//!   `{"istio": "...", "cluster": "..." | absent, "world": "bookinfo" | absent, "proxy": "...",
//!   "tab": "routes", "view": "config", "request": {...}}`. `cluster` absent with `world` set means
//!   "the built-in world of that name, as the opening version ships it" (keeps links short).
//!   Unknown keys are ignored, so later versions may add keys without a new version number.
//! - `embed`, `view=config|animation`, `readonly`: the embed layout (also accepted as `?query`).
//!
//! **Compatibility rule**: a link made by any earlier version decodes forever. A change that old
//! decoders cannot read needs a new version number and a new branch in [`decode`]; the fixture in
//! `tests/share/` (made by version 1) is decoded by the tests of every later version.
//!
//! A link is untrusted input: decoding bounds the encoded length, the inflated size (no zip bombs)
//! and every text's size, and never panics. Nothing decoded is meant to be inserted as HTML.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The version [`encode`] writes.
pub const VERSION: u32 = 1;
/// Longest accepted `<version>.<data>` text, in bytes (Chromium's URL limit is 2 MB).
pub const MAX_ENCODED: usize = 2 * 1024 * 1024;
/// Largest accepted inflated JSON, in bytes.
pub const MAX_DECODED: usize = 8 * 1024 * 1024;
/// The name of the built-in world a link may refer to instead of carrying the cluster text.
pub const BOOKINFO: &str = "bookinfo";

/// Everything a link restores. Strings rather than enums for the tab and view, so a link naming a
/// tab a later version adds still opens (the page falls back to its default).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct State {
    pub istio: String,
    pub cluster: Cluster,
    /// The proxy id (`name.namespace`) whose config is shown.
    pub proxy: Option<String>,
    /// The output tab: `listeners`, `routes`, `clusters`, `endpoints`, `dump`.
    pub tab: Option<String>,
    /// The view: `config` or `animation`.
    pub view: Option<String>,
    /// The simulated request (the JSON of `simulate::Request`, plus what the animation adds).
    pub request: Option<Value>,
}

/// The cluster side of the state: the built-in world, or the user's own text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cluster {
    /// A built-in world by name (see [`BOOKINFO`]); the opening version supplies its text.
    World(String),
    Text(String),
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::World(BOOKINFO.to_string())
    }
}

impl Cluster {
    /// The cluster for a text: the built-in world when the text is exactly its YAML.
    pub fn from_text(text: &str) -> Cluster {
        if text == crate::playground::world::BOOKINFO {
            Cluster::World(BOOKINFO.to_string())
        } else {
            Cluster::Text(text.to_string())
        }
    }

    /// The YAML to load. An unknown world name gives Bookinfo (the only world so far).
    pub fn text(&self) -> &str {
        match self {
            Cluster::World(_) => crate::playground::world::BOOKINFO,
            Cluster::Text(t) => t,
        }
    }
}

/// Why a link did not open. `Display` gives a message fit for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// No `s=` parameter (not an error for the page: it simply has no state to restore).
    Missing,
    /// The encoded state is longer than [`MAX_ENCODED`].
    TooLong(usize),
    /// No `<version>.` prefix, or not a number.
    BadVersion,
    /// Made by a later Pilot Light that writes a format this one cannot read.
    NewerVersion(u32),
    /// Not base64url.
    BadEncoding,
    /// Not DEFLATE data, or cut short.
    BadCompression,
    /// Inflates to more than [`MAX_DECODED`] bytes.
    TooLarge,
    /// Not the JSON object of the format (the message says where).
    BadContent(String),
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::Missing => write!(f, "the link holds no playground state"),
            ShareError::TooLong(n) => write!(
                f,
                "the link's state is {n} characters long; at most {MAX_ENCODED} are accepted"
            ),
            ShareError::BadVersion => {
                write!(f, "the link's state has no format version (is the link cut short?)")
            }
            ShareError::NewerVersion(v) => write!(
                f,
                "the link was made by a newer Pilot Light (format {v}; this page reads up to {VERSION})"
            ),
            ShareError::BadEncoding => {
                write!(f, "the link's state is not valid base64url (is the link cut short or edited?)")
            }
            ShareError::BadCompression => {
                write!(f, "the link's state does not decompress (is the link cut short or edited?)")
            }
            ShareError::TooLarge => write!(
                f,
                "the link's state decompresses to more than {} MB",
                MAX_DECODED / (1024 * 1024)
            ),
            ShareError::BadContent(m) => write!(f, "the link's state is not valid: {m}"),
        }
    }
}

impl std::error::Error for ShareError {}

/// Version 1's JSON object. Field order is the output order (deterministic links).
#[derive(Serialize, Deserialize, Default)]
struct V1 {
    #[serde(default)]
    istio: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    world: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proxy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tab: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    view: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request: Option<Value>,
}

/// The state as `<version>.<data>` (the value of the fragment's `s=`): URL-safe, no padding.
pub fn encode(state: &State) -> String {
    let (cluster, world) = match &state.cluster {
        Cluster::World(w) => (None, Some(w.clone())),
        Cluster::Text(t) => (Some(t.clone()), None),
    };
    let v1 = V1 {
        istio: state.istio.clone(),
        cluster,
        world,
        proxy: state.proxy.clone(),
        tab: state.tab.clone(),
        view: state.view.clone(),
        request: state.request.clone(),
    };
    // Serializing strings and JSON values into a Vec cannot fail.
    let json = serde_json::to_vec(&v1).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The state from `<version>.<data>`, checked and bounded. Never panics.
pub fn decode(text: &str) -> Result<State, ShareError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ShareError::Missing);
    }
    if text.len() > MAX_ENCODED {
        return Err(ShareError::TooLong(text.len()));
    }
    let (version, data) = text.split_once('.').ok_or(ShareError::BadVersion)?;
    if version.is_empty() || version.len() > 9 || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ShareError::BadVersion);
    }
    let version: u32 = version.parse().map_err(|_| ShareError::BadVersion)?;
    match version {
        1 => decode_v1(data),
        v if v > VERSION => Err(ShareError::NewerVersion(v)),
        _ => Err(ShareError::BadVersion),
    }
}

fn decode_v1(data: &str) -> Result<State, ShareError> {
    // Some chat apps and mail clients turn a trailing `=` or `%3D` into part of the link; accept
    // padded input, reject anything else that is not base64url.
    let data = data.trim_end_matches('=');
    let packed = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| ShareError::BadEncoding)?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_DECODED).map_err(|e| {
            match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLarge,
                _ => ShareError::BadCompression,
            }
        })?;
    let v1: V1 =
        serde_json::from_slice(&json).map_err(|e| ShareError::BadContent(e.to_string()))?;
    let cluster = match (v1.cluster, v1.world) {
        (Some(text), _) => Cluster::Text(text),
        (None, Some(world)) => Cluster::World(world),
        (None, None) => Cluster::default(),
    };
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    if let Some(r) = &v1.request {
        if !r.is_object() {
            return Err(ShareError::BadContent("`request` is not an object".into()));
        }
    }
    Ok(State {
        istio: v1.istio,
        cluster,
        proxy: nonempty(v1.proxy),
        tab: nonempty(v1.tab),
        view: nonempty(v1.view),
        request: v1.request,
    })
}

/// What the page reads from its URL: the fragment's parameters, and the same flags from the query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params {
    /// The raw `s=` value (decode it with [`decode`]).
    pub state: Option<String>,
    pub embed: bool,
    pub readonly: bool,
    /// `view=` of the embed layout.
    pub view: Option<String>,
    /// Where the page opens, over what the state says: `proxy=`, `tab=`, `resource=` (a
    /// resource of that tab, by name, shown as if its row were clicked) and `line=` (the Istio
    /// editor scrolled to that line). A blog post embeds the exact thing it talks about.
    pub at: At,
}

/// Where a link opens: the proxy, tab and resource on show and the Istio editor's line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct At {
    pub proxy: Option<String>,
    pub tab: Option<String>,
    pub resource: Option<String>,
    pub line: Option<u32>,
}

impl At {
    /// The `&key=value` query parameters for these (empty when nothing is set).
    pub fn query(&self) -> String {
        let mut out = String::new();
        for (key, value) in [
            ("proxy", self.proxy.clone()),
            ("tab", self.tab.clone()),
            ("resource", self.resource.clone()),
            ("line", self.line.map(|l| l.to_string())),
        ] {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                out.push('&');
                out.push_str(key);
                out.push('=');
                out.push_str(&percent_encode(&v));
            }
        }
        out
    }
}

/// Parse `?query` and `#fragment` (either may be empty, with or without its leading `?`/`#`).
/// The fragment wins where both set something.
pub fn parse_params(query: &str, fragment: &str) -> Params {
    let mut p = Params::default();
    for part in [
        query.trim_start_matches('?'),
        fragment.trim_start_matches('#'),
    ] {
        for item in part.split('&').filter(|s| !s.is_empty()) {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            match key {
                "s" => p.state = Some(percent_decode(value)),
                "embed" => p.embed = !matches!(value, "0" | "false"),
                "readonly" => p.readonly = !matches!(value, "0" | "false"),
                "view" if !value.is_empty() => p.view = Some(percent_decode(value)),
                "proxy" if !value.is_empty() => p.at.proxy = Some(percent_decode(value)),
                "tab" if !value.is_empty() => p.at.tab = Some(percent_decode(value)),
                "resource" if !value.is_empty() => p.at.resource = Some(percent_decode(value)),
                "line" => p.at.line = value.parse().ok().filter(|l| *l > 0),
                _ => {}
            }
        }
    }
    p
}

/// The fragment for a state and embed flags (without `#`). The state goes last, so a link cut
/// short loses state bytes (a clear error) rather than flags.
pub fn fragment(state: &State, embed: Option<(&str, bool)>) -> String {
    let mut out = String::new();
    if let Some((view, readonly)) = embed {
        out.push_str("embed&view=");
        out.push_str(view);
        if readonly {
            out.push_str("&readonly");
        }
        out.push('&');
    }
    out.push_str("s=");
    out.push_str(&encode(state));
    out
}

/// Escapes what a query value may not hold as itself (`|`, `&`, `#`, `%`, spaces...): everything
/// but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` escapes (a link pasted through some apps gets `.` or `=` escaped); invalid escapes are kept.
fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| (bytes.get(j).copied().filter(u8::is_ascii_hexdigit)).map(hex_value);
        if bytes[i] == b'%' {
            if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// The Istio YAML as a shell here-document for `kubectl apply -f -`. The delimiter is chosen so no
/// line of the YAML ends the document early, and it is quoted so the shell expands nothing.
pub fn kubectl_apply(yaml: &str) -> String {
    let mut delim = "EOF".to_string();
    let mut n = 0;
    while yaml.lines().any(|l| l == delim) {
        n += 1;
        delim = format!("EOF_{n}");
    }
    let mut body = yaml.to_string();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    format!("kubectl apply -f - <<'{delim}'\n{body}{delim}\n")
}

/// The `istioctl proxy-config` command that prints the same thing from a real cluster: the table
/// of `tab` for `proxy` (`pod.namespace`), or one resource as JSON when `name` is given.
pub fn istioctl_command(proxy: &str, tab: &str, name: Option<&str>) -> String {
    let proxy = shell_word(proxy);
    match (tab, name) {
        ("dump", _) | ("all", _) => format!("istioctl proxy-config all {proxy} -o json"),
        ("routes", Some(n)) => {
            format!(
                "istioctl proxy-config routes {proxy} --name {} -o json",
                shell_word(n)
            )
        }
        ("clusters", Some(n)) => {
            format!(
                "istioctl proxy-config clusters {proxy} --fqdn {} -o json",
                cluster_filter(n)
            )
        }
        ("endpoints", Some(n)) => {
            format!(
                "istioctl proxy-config endpoints {proxy} --cluster {} -o json",
                shell_word(n)
            )
        }
        ("listeners", Some(n)) => match n.rsplit_once('_').and_then(|(_, p)| p.parse::<u16>().ok())
        {
            Some(port) => format!("istioctl proxy-config listeners {proxy} --port {port} -o json"),
            None => format!("istioctl proxy-config listeners {proxy} -o json"),
        },
        (tab, _) => format!("istioctl proxy-config {} {proxy}", shell_word(tab)),
    }
}

/// `--fqdn X --port P --subset S` from a cluster name `direction|port|subset|fqdn`.
fn cluster_filter(name: &str) -> String {
    let parts: Vec<&str> = name.split('|').collect();
    if let [_, port, subset, fqdn] = parts[..] {
        let mut out = shell_word(fqdn);
        if !port.is_empty() {
            out.push_str(&format!(" --port {}", shell_word(port)));
        }
        if !subset.is_empty() {
            out.push_str(&format!(" --subset {}", shell_word(subset)));
        }
        out
    } else {
        shell_word(name)
    }
}

/// A word safe to paste into a POSIX shell: bare when it only has safe characters, else quoted.
fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:/=@,+".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r#"'\''"#))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::world;
    use serde_json::json;

    fn bookinfo_state() -> State {
        State {
            istio: world::preset(world::DEFAULT_PRESET)
                .unwrap()
                .yaml
                .to_string(),
            cluster: Cluster::from_text(world::BOOKINFO),
            proxy: Some("productpage-v1-6f9c8b7d4c-x2k9p.default".into()),
            tab: Some("routes".into()),
            view: Some("config".into()),
            request: None,
        }
    }

    #[test]
    fn round_trip() {
        let s = bookinfo_state();
        let enc = encode(&s);
        assert!(enc.starts_with("1."));
        assert!(enc
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
        assert_eq!(decode(&enc).unwrap(), s);

        let mut s2 = s.clone();
        s2.cluster = Cluster::Text("# mine\n".into());
        s2.request =
            Some(json!({"host": "reviews", "port": 9080, "headers": {"end-user": "jason"}}));
        s2.istio.push_str("\n# 你好 — unicode\n");
        assert_eq!(decode(&encode(&s2)).unwrap(), s2);
        assert_eq!(
            decode(&encode(&State::default())).unwrap(),
            State::default()
        );
    }

    #[test]
    fn encoding_is_deterministic_and_short_for_bookinfo() {
        let s = bookinfo_state();
        assert_eq!(encode(&s), encode(&s));
        let n = encode(&s).len();
        // The built-in world is named, not carried: the request-routing preset fits in ~1 KB.
        assert!(n < 1200, "{n} characters");
        let mut with_cluster = s.clone();
        with_cluster.cluster = Cluster::Text(format!("{}\n# edited\n", world::BOOKINFO));
        assert!(encode(&with_cluster).len() < 4000);
    }

    #[test]
    fn very_large_states_round_trip() {
        // ~1.5 MB of distinct YAML.
        let mut big = String::new();
        for i in 0..20_000 {
            big.push_str(&format!(
                "# line {i} of a large paste {}\n",
                i * 7919 % 10007
            ));
        }
        let s = State {
            istio: big,
            ..bookinfo_state()
        };
        let enc = encode(&s);
        assert!(enc.len() < MAX_ENCODED, "{}", enc.len());
        assert_eq!(decode(&enc).unwrap(), s);
    }

    #[test]
    fn corrupt_input_gives_clear_errors() {
        let good = encode(&bookinfo_state());
        assert_eq!(decode(""), Err(ShareError::Missing));
        assert_eq!(decode("hello"), Err(ShareError::BadVersion));
        assert_eq!(decode("x.abc"), Err(ShareError::BadVersion));
        assert_eq!(decode("0.abc"), Err(ShareError::BadVersion));
        assert_eq!(decode("99999999999.abc"), Err(ShareError::BadVersion));
        assert_eq!(decode("7.abc"), Err(ShareError::NewerVersion(7)));
        assert_eq!(decode("1.!!not base64!!"), Err(ShareError::BadEncoding));
        assert_eq!(decode("1.AAAA"), Err(ShareError::BadCompression));
        // Cut short: an incomplete stream.
        let cut = &good[..good.len() / 2];
        assert!(matches!(
            decode(cut),
            Err(ShareError::BadCompression | ShareError::BadEncoding)
        ));
        // Valid deflate of something that is not the format.
        let not_json = miniz_oxide::deflate::compress_to_vec(b"[1,2,3]", 6);
        let e = decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(not_json))).unwrap_err();
        assert!(matches!(e, ShareError::BadContent(_)), "{e:?}");
        let wrong_type = miniz_oxide::deflate::compress_to_vec(br#"{"istio": 5}"#, 6);
        assert!(matches!(
            decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(wrong_type))),
            Err(ShareError::BadContent(_))
        ));
        let bad_request = miniz_oxide::deflate::compress_to_vec(br#"{"request": "x"}"#, 6);
        assert!(matches!(
            decode(&format!("1.{}", URL_SAFE_NO_PAD.encode(bad_request))),
            Err(ShareError::BadContent(_))
        ));
        // Every message says something.
        for e in [
            ShareError::TooLarge,
            ShareError::TooLong(3),
            ShareError::NewerVersion(2),
        ] {
            assert!(e.to_string().len() > 20);
        }
    }

    #[test]
    fn flipped_bytes_never_panic() {
        let good = encode(&bookinfo_state());
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for i in (2..good.len()).step_by(3) {
            let mut b = good.clone().into_bytes();
            b[i] = alphabet[(b[i] as usize * 31 + i) % alphabet.len()];
            let _ = decode(std::str::from_utf8(&b).unwrap());
        }
    }

    #[test]
    fn zip_bombs_and_oversized_links_are_refused() {
        // 9 MB of zeros, deflated to a few KB.
        let json = format!("{{\"istio\": \"{}\"}}", "0".repeat(9 * 1024 * 1024));
        let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
        let link = format!("1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(link.len() < 100_000);
        assert_eq!(decode(&link), Err(ShareError::TooLarge));
        let long = format!("1.{}", "A".repeat(MAX_ENCODED));
        assert_eq!(decode(&long), Err(ShareError::TooLong(MAX_ENCODED + 2)));
    }

    #[test]
    fn unknown_keys_are_ignored_and_padding_is_accepted() {
        let packed = miniz_oxide::deflate::compress_to_vec(
            br#"{"istio": "a: 1\n", "proxy": "p.default", "future": [1, 2]}"#,
            6,
        );
        let s = decode(&format!("1.{}==", URL_SAFE_NO_PAD.encode(packed))).unwrap();
        assert_eq!(s.istio, "a: 1\n");
        assert_eq!(s.proxy.as_deref(), Some("p.default"));
        assert_eq!(s.cluster, Cluster::World(BOOKINFO.into()));
        assert_eq!(s.cluster.text(), world::BOOKINFO);
    }

    /// A link made by format version 1 (`tests/share/v1-link.txt`) must open in every later version.
    #[test]
    fn the_first_format_version_fixture_still_decodes() {
        let fixture = include_str!("../../../tests/share/v1-link.txt");
        let link = fixture.lines().find(|l| l.starts_with("http")).unwrap();
        let frag = link.split_once('#').unwrap().1;
        let params = parse_params("", frag);
        let s = decode(params.state.as_deref().unwrap()).unwrap();
        let expected: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/share/v1-state.json")).unwrap();
        assert_eq!(s.istio, expected["istio"].as_str().unwrap());
        assert_eq!(s.proxy.as_deref(), expected["proxy"].as_str());
        assert_eq!(s.tab.as_deref(), expected["tab"].as_str());
        assert_eq!(s.view.as_deref(), expected["view"].as_str());
        assert_eq!(s.cluster, Cluster::World(BOOKINFO.into()));
        assert!(s.istio.contains("subset: v2"));
    }

    #[test]
    fn params_from_query_and_fragment() {
        let p = parse_params("?embed&lang=zh", "#view=animation&readonly&s=1.abc%2Edef");
        assert!(p.embed && p.readonly);
        assert_eq!(p.view.as_deref(), Some("animation"));
        assert_eq!(p.state.as_deref(), Some("1.abc.def"));
        let p = parse_params("", "");
        assert_eq!(p, Params::default());
        let at = At {
            proxy: Some("productpage-v1-1.default".into()),
            tab: Some("clusters".into()),
            resource: Some("outbound|9080|v1|reviews.default.svc.cluster.local".into()),
            line: Some(42),
        };
        let q = at.query();
        assert!(!q.contains('|'), "{q}");
        let p = parse_params(&format!("?embed{q}"), "#s=1.abc");
        assert_eq!(p.at, at);
        assert_eq!(parse_params("?line=0&resource=", "").at, At::default());
        let p = parse_params("embed=0", "s=");
        assert!(!p.embed);
        assert_eq!(p.state.as_deref(), Some(""));
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%+1"), "%+1");
        let s = bookinfo_state();
        let f = fragment(&s, Some(("config", true)));
        assert!(f.starts_with("embed&view=config&readonly&s=1."));
        let p = parse_params("", &f);
        assert!(p.embed && p.readonly);
        assert_eq!(decode(&p.state.unwrap()).unwrap(), s);
    }

    #[test]
    fn kubectl_here_document() {
        let out = kubectl_apply("a: 1\nEOF\nb: $HOME");
        assert_eq!(
            out,
            "kubectl apply -f - <<'EOF_1'\na: 1\nEOF\nb: $HOME\nEOF_1\n"
        );
        assert_eq!(
            kubectl_apply("a: 1\n"),
            "kubectl apply -f - <<'EOF'\na: 1\nEOF\n"
        );
    }

    #[test]
    fn istioctl_commands() {
        let p = "productpage-v1-1.default";
        assert_eq!(
            istioctl_command(p, "routes", None),
            "istioctl proxy-config routes productpage-v1-1.default"
        );
        assert_eq!(
            istioctl_command(p, "routes", Some("9080")),
            "istioctl proxy-config routes productpage-v1-1.default --name 9080 -o json"
        );
        assert_eq!(
            istioctl_command(p, "clusters", Some("outbound|9080|v1|reviews.default.svc.cluster.local")),
            "istioctl proxy-config clusters productpage-v1-1.default --fqdn reviews.default.svc.cluster.local --port 9080 --subset v1 -o json"
        );
        assert_eq!(
            istioctl_command(p, "listeners", Some("0.0.0.0_9080")),
            "istioctl proxy-config listeners productpage-v1-1.default --port 9080 -o json"
        );
        assert_eq!(
            istioctl_command(p, "endpoints", Some("outbound|9080||reviews.default.svc.cluster.local")),
            "istioctl proxy-config endpoints productpage-v1-1.default --cluster 'outbound|9080||reviews.default.svc.cluster.local' -o json"
        );
        assert_eq!(
            istioctl_command(p, "dump", None),
            "istioctl proxy-config all productpage-v1-1.default -o json"
        );
        assert_eq!(shell_word("it's"), r#"'it'\''s'"#);
    }
}
