//! Typed decoding of the input model (Istio, Kubernetes and Gateway API objects) from a positioned
//! YAML node, strict like Kubernetes' decoder: wrong types, missing required fields, repeated
//! fields and (for Istio kinds) unknown fields are errors, and every error carries the span of the
//! node that caused it.
//!
//! This is what `#[derive(Deserialize)]` over [`super::de`] did, with the same rules and messages,
//! written for size: serde's derive generates a field visitor, a map visitor with one local per
//! field and the whole error handling for every struct, monomorphized for every field type, which
//! made the input model alone about a quarter of the page's WebAssembly. Here each struct is a
//! table ([`Shape`]) read by one shared loop ([`decode_fields`]) and a small function that hands
//! one field, by its index, to the field type's decoder, which decodes it in place.

use super::error::{invalid_type, DeError};
use crate::order;
use crate::sorted::SortedMap;
use crate::yaml::{Node, Scalar, Value};

/// A decoding error. Boxed so that a result is one word: every field of every struct passes it
/// on, and a small result keeps that code small.
pub type Error = Box<DeError>;

/// A value of the input model, decoded from a YAML node.
pub trait Decode {
    /// Decode `node` into `out`, which holds the type's default value. Decoding in place (rather
    /// than returning the value) lets a struct hand each field's storage to the field's decoder,
    /// with no moves of large values and no drops of the defaults they replace.
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error>;
}

/// Decode `node` into a new `T`.
pub fn from_node<T: Decode + Default>(node: &Node) -> Result<T, DeError> {
    let mut out = T::default();
    T::decode_into(node, &mut out).map_err(|e| *e)?;
    Ok(out)
}

thread_local! {
    /// Where [`noting_soft_errors`] collects unknown and missing fields while it runs.
    static SOFT: std::cell::RefCell<Option<Vec<DeError>>> = const { std::cell::RefCell::new(None) };
}

/// Run `decode`, noting unknown and missing fields in the returned list instead of failing on
/// them. Istio's analyzer holds an object with such fields (its schema validation reports them)
/// and runs every other analyzer on it, so a route entry `- {}` must not lose the object's other
/// findings. Wrong types and repeated fields still fail: Kubernetes' decoder refuses those.
pub fn noting_soft_errors<R>(decode: impl FnOnce() -> R) -> (R, Vec<DeError>) {
    let outer = SOFT.with(|s| s.replace(Some(Vec::new())));
    let result = decode();
    let soft = SOFT.with(|s| s.replace(outer)).unwrap_or_default();
    (result, soft)
}

/// An error that [`noting_soft_errors`] notes and passes over; outside it, an error.
fn soft(e: Error) -> Result<(), Error> {
    SOFT.with(|s| match s.borrow_mut().as_mut() {
        Some(noted) => {
            noted.push(*e);
            Ok(())
        }
        None => Err(e),
    })
}

fn error(node: &Node, message: String) -> Error {
    Box::new(DeError {
        message,
        span: Some(node.span),
    })
}

fn wrong_type(node: &Node, expected: &'static str) -> Error {
    Box::new(invalid_type(node, &expected))
}

/// A mapping key read as text. Keys are strings in every Kubernetes object, so any scalar's text
/// is taken as it is written; a sequence or mapping as a key is the error serde reports for it.
fn key_text<'a>(key: &'a Node, expected: &str) -> Result<&'a str, Error> {
    match &key.value {
        Value::Scalar { text, .. } => Ok(text),
        Value::Seq(_) => Err(error(
            key,
            format!("invalid type: sequence, expected {expected}"),
        )),
        Value::Map(_) => Err(error(
            key,
            format!("invalid type: map, expected {expected}"),
        )),
    }
}

impl Decode for String {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        match node.scalar() {
            Some(Scalar::Str(s)) => {
                *out = s.to_owned();
                Ok(())
            }
            _ => Err(wrong_type(node, "a string")),
        }
    }
}

macro_rules! decode_int {
    ($($ty:ty),*) => {$(
        impl Decode for $ty {
            fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
                match node.scalar() {
                    Some(Scalar::Int(i)) => {
                        *out = <$ty>::try_from(i).map_err(|_| {
                            error(node, format!("{} is out of range for {}", i, stringify!($ty)))
                        })?;
                        Ok(())
                    }
                    _ => Err(wrong_type(node, stringify!($ty))),
                }
            }
        }
    )*};
}

decode_int!(u32, u64, i64);

impl Decode for f64 {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        *out = match node.scalar() {
            Some(Scalar::Float(f)) => f,
            Some(Scalar::Int(i)) => i as f64,
            _ => return Err(wrong_type(node, "f64")),
        };
        Ok(())
    }
}

impl Decode for bool {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        match node.scalar() {
            Some(Scalar::Bool(b)) => {
                *out = b;
                Ok(())
            }
            _ => Err(wrong_type(node, "a boolean")),
        }
    }
}

/// `null` (or nothing) is `None`.
impl<T: Decode + Default> Decode for Option<T> {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        if node.is_null() {
            return Ok(());
        }
        T::decode_into(node, out.insert(T::default()))
    }
}

impl<T: Decode + Default> Decode for Vec<T> {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        let Value::Seq(items) = &node.value else {
            return Err(wrong_type(node, "a sequence"));
        };
        out.reserve_exact(items.len());
        for item in items {
            out.push(T::default());
            if let Some(last) = out.last_mut() {
                T::decode_into(item, last)?;
            }
        }
        Ok(())
    }
}

/// A later duplicate key replaces an earlier one, as in a Go map. `null` is an empty map, as
/// Go's JSON decoder and protojson read it (`annotations:` with only a comment under it).
impl<T: Decode + Default> Decode for SortedMap<String, T> {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        if node.is_null() {
            return Ok(());
        }
        let Value::Map(entries) = &node.value else {
            return Err(wrong_type(node, "a map"));
        };
        for (k, v) in entries {
            let key = key_text(k, "a string")?.to_string();
            let mut value = T::default();
            T::decode_into(v, &mut value)?;
            out.insert(key, value);
        }
        Ok(())
    }
}

/// Free-form fields (`tlsCertificates`, `ownerReferences`...) are kept as JSON: what serde_json's
/// `Value` deserializer made of the node through [`de::from_node`], built directly.
impl Decode for serde_json::Value {
    fn decode_into(node: &Node, out: &mut Self) -> Result<(), Error> {
        *out = json(node)?;
        Ok(())
    }
}

fn json(node: &Node) -> Result<serde_json::Value, Error> {
    use serde_json::Value as Json;
    Ok(match &node.value {
        Value::Seq(items) => Json::Array(items.iter().map(json).collect::<Result<_, _>>()?),
        Value::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (i, (k, v)) in entries.iter().enumerate() {
                // serde_json reads the first key as "a string key" (it looks for its own special
                // keys there) and the others as "a string", and says so when one is not a scalar.
                let key = key_text(k, if i == 0 { "a string key" } else { "a string" })?;
                // A later duplicate replaces the value and keeps the first one's place.
                map.insert(key.to_owned(), json(v)?);
            }
            Json::Object(map)
        }
        Value::Scalar { text, .. } => match node.scalar() {
            Some(Scalar::Null) => Json::Null,
            Some(Scalar::Bool(b)) => Json::Bool(b),
            Some(Scalar::Int(i)) => Json::from(i),
            // JSON has no NaN or infinity: serde_json makes them null.
            Some(Scalar::Float(f)) => {
                serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
            }
            _ => Json::String(text.clone()),
        },
    })
}

/// How a struct is decoded: its keys, which of them must be present, whether other keys are errors.
pub struct Shape {
    /// What a value of the wrong type is told it should have been: `struct Server`.
    pub expecting: &'static str,
    /// The YAML key of each field, in declaration order.
    pub keys: &'static [&'static str],
    /// Per field: other keys accepted for it.
    pub aliases: &'static [&'static [&'static str]],
    /// Per field: a missing field is an error (otherwise it keeps its default).
    pub required: &'static [bool],
    /// Unknown keys are errors (Istio kinds), or ignored (Kubernetes kinds, Gateway API).
    pub strict: bool,
}

impl Shape {
    fn field(&self, key: &str) -> Option<usize> {
        self.keys.iter().position(|k| *k == key).or_else(|| {
            self.aliases
                .iter()
                .position(|aliases| aliases.contains(&key))
        })
    }

    /// serde's list of expected fields: each field's key with its aliases, sorted per field.
    fn expected(&self) -> Vec<&'static str> {
        let mut all = Vec::new();
        for (key, aliases) in self.keys.iter().zip(self.aliases) {
            let mut names: Vec<&str> = aliases.iter().chain([key]).copied().collect();
            order::sort(&mut names);
            all.extend(names);
        }
        all
    }
}

fn unknown_field(key: &Node, name: &str, shape: &Shape) -> Error {
    let expected = shape.expected();
    let list = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let message = match expected.as_slice() {
        [] => format!("unknown field `{name}`, there are no fields"),
        [one] => format!("unknown field `{name}`, expected `{one}`"),
        [a, b] => format!("unknown field `{name}`, expected `{a}` or `{b}`"),
        many => format!("unknown field `{name}`, expected one of {}", list(many)),
    };
    error(key, message)
}

/// Decode the mapping `node` (or `null`, an empty object to Kubernetes) field by field: `field`
/// decodes the value of the field with the given index into the struct being built, in place.
pub fn decode_fields(
    node: &Node,
    shape: &Shape,
    field: &mut dyn FnMut(usize, &Node) -> Result<(), Error>,
) -> Result<(), Error> {
    let entries = match &node.value {
        Value::Map(entries) => entries.as_slice(),
        _ if node.is_null() => &[],
        _ => return Err(wrong_type(node, shape.expecting)),
    };
    let mut seen = 0u64;
    for (k, v) in entries {
        let name = key_text(k, "field identifier")?;
        match shape.field(name) {
            Some(i) => {
                if seen & (1 << i) != 0 {
                    return Err(error(node, format!("duplicate field `{}`", shape.keys[i])));
                }
                seen |= 1 << i;
                field(i, v)?;
            }
            None if shape.strict => soft(unknown_field(k, name, shape))?,
            None => {}
        }
    }
    for (i, key) in shape.keys.iter().enumerate() {
        if shape.required[i] && seen & (1 << i) == 0 {
            soft(error(node, format!("missing field `{key}`")))?;
        }
    }
    Ok(())
}

/// `snake_case` to `camelCase` at compile time, as serde's `rename_all = "camelCase"` does: the
/// key of a field is derived from its Rust name unless the field names its key.
pub const fn camel_case(snake: &str) -> ([u8; 64], usize) {
    let s = snake.as_bytes();
    let mut buf = [0u8; 64];
    let (mut i, mut n, mut upper) = (0, 0, false);
    while i < s.len() {
        let c = s[i];
        if c == b'_' {
            upper = true;
        } else {
            buf[n] = if upper { c.to_ascii_uppercase() } else { c };
            n += 1;
            upper = false;
        }
        i += 1;
    }
    (buf, n)
}

/// Define structs of the input model and their [`Decode`] impls. Each field may end with
/// options in brackets: `[required]` (a missing field is an error; otherwise it keeps its
/// `Default`), a key other than the camelCase of its name (`["clusterIP"]`), and aliases
/// (`["matchLabels" | "labels"]`), e.g. `pub pattern: String [required "match"]`. `struct X: strict`
/// rejects unknown keys.
macro_rules! decode_structs {
    ($(
        $(#[$attr:meta])*
        $vis:vis struct $name:ident $(: $mode:ident)? {
            $(
                $(#[$fattr:meta])*
                $fvis:vis $field:ident : $fty:ty $([$($opt:tt)*])?
            ),* $(,)?
        }
    )*) => {$(
        $(#[$attr])*
        $vis struct $name {
            $( $(#[$fattr])* $fvis $field: $fty, )*
        }

        impl $crate::yaml::decode::Decode for $name {
            fn decode_into(
                node: &$crate::yaml::Node,
                out: &mut Self,
            ) -> Result<(), $crate::yaml::decode::Error> {
                use $crate::yaml::decode::{decode_fields, Decode, Shape};
                #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
                enum Field { $($field),* }
                const SHAPE: Shape = Shape {
                    expecting: concat!("struct ", stringify!($name)),
                    keys: &[$( $crate::yaml::decode::decode_structs!(@key $field $($($opt)*)?) ),*],
                    aliases: &[$( $crate::yaml::decode::decode_structs!(@aliases $($($opt)*)?) ),*],
                    required: &[$( $crate::yaml::decode::decode_structs!(@required $($($opt)*)?) ),*],
                    strict: $crate::yaml::decode::decode_structs!(@strict $($mode)?),
                };
                const _: () = assert!(SHAPE.keys.len() <= 64, "one bit per field in decode_fields");
                decode_fields(node, &SHAPE, &mut |i, value| {
                    $( if i == Field::$field as usize {
                        return Decode::decode_into(value, &mut out.$field);
                    } )*
                    Ok(())
                })
            }
        }

        impl $crate::yaml::encode::Encode for $name {
            fn encode(&self) -> Option<serde_json::Value> {
                let v = self.encode_present();
                v.as_object().is_some_and(|m| !m.is_empty()).then_some(v)
            }
            fn encode_present(&self) -> serde_json::Value {
                $crate::yaml::encode::object(&[$((
                    $crate::yaml::decode::decode_structs!(@key $field $($($opt)*)?),
                    $crate::yaml::encode::Encode::encode(&self.$field),
                )),*])
            }
        }
    )*};

    (@key $field:ident required $key:literal $($rest:tt)*) => { $key };
    (@key $field:ident required) => { $crate::yaml::decode::decode_structs!(@key $field) };
    (@key $field:ident $key:literal $($rest:tt)*) => { $key };
    (@key $field:ident) => {{
        const KEY: ([u8; 64], usize) = $crate::yaml::decode::camel_case(stringify!($field));
        match std::str::from_utf8(KEY.0.split_at(KEY.1).0) {
            Ok(key) => key,
            Err(_) => panic!("field names are ASCII"),
        }
    }};

    (@aliases required $($rest:tt)*) => { $crate::yaml::decode::decode_structs!(@aliases $($rest)*) };
    (@aliases $key:literal $(| $alias:literal)*) => { &[$($alias),*] };
    (@aliases) => { &[] };

    (@required required $($rest:tt)*) => { true };
    (@required $($rest:tt)*) => { false };

    (@strict strict) => { true };
    (@strict) => { false };
}

pub(crate) use decode_structs;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    decode_structs! {
        #[derive(Debug, Default)]
        struct Port: strict {
            number: u32 [required],
            name: Option<String>,
            target_port: Option<u32>,
            kind: Option<String> ["type"],
        }

        #[derive(Debug, Default)]
        struct Selector {
            match_labels: SortedMap<String, String> ["matchLabels" | "labels"],
        }
    }

    fn first(text: &str) -> Node {
        parse_stream(text).0.remove(0).root
    }

    fn err<T: Decode + Default + std::fmt::Debug>(text: &str) -> DeError {
        from_node::<T>(&first(text)).unwrap_err()
    }

    #[test]
    fn encoding_writes_the_decoded_keys_and_leaves_proto3_defaults_out() {
        use crate::yaml::encode::Encode;
        let port = from_node::<Port>(&first("number: 80\ntargetPort: 0\ntype: x\n")).unwrap();
        // A set Option is written even at its default; an unset one and empty values are not.
        assert_eq!(
            port.encode_present(),
            serde_json::json!({"number": 80, "targetPort": 0, "type": "x"})
        );
        let sel = from_node::<Selector>(&first("labels: {app: a}\n")).unwrap();
        assert_eq!(
            sel.encode_present(),
            serde_json::json!({"matchLabels": {"app": "a"}})
        );
        assert_eq!(Selector::default().encode(), None);
        assert_eq!(Selector::default().encode_present(), serde_json::json!({}));
    }

    #[test]
    fn keys_are_camel_case_or_named() {
        let port = from_node::<Port>(&first("number: 80\ntargetPort: 8080\ntype: x\n")).unwrap();
        assert_eq!((port.number, port.target_port), (80, Some(8080)));
        assert_eq!(port.kind.as_deref(), Some("x"));
        let sel = from_node::<Selector>(&first("labels: {app: a}\n")).unwrap();
        assert_eq!(sel.match_labels["app"], "a");
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let e = err::<Port>("number: eighty\nname: http\n");
        assert_eq!(e.message, "invalid type: string \"eighty\", expected u32");
        let span = e.span.unwrap();
        assert_eq!((span.start_line, span.start_col), (1, 9));
        let e = err::<Port>("number: 80\nname: 1.5\n");
        assert_eq!(
            e.message,
            "invalid type: floating point `1.5`, expected a string"
        );
        let e = err::<Port>("[1]\n");
        assert_eq!(e.message, "invalid type: a list, expected struct Port");
    }

    #[test]
    fn unknown_missing_and_duplicate_fields() {
        let e = err::<Port>("number: 80\nnmae: http\n");
        assert_eq!(
            e.message,
            "unknown field `nmae`, expected one of `number`, `name`, `targetPort`, `type`"
        );
        assert_eq!(e.span.unwrap().start_line, 2);
        assert_eq!(err::<Port>("name: a\n").message, "missing field `number`");
        assert_eq!(
            err::<Port>("number: 1\nnumber: 2\n").message,
            "duplicate field `number`"
        );
        // Lenient structs ignore unknown keys.
        assert!(from_node::<Selector>(&first("other: [1]\n")).is_ok());
        assert_eq!(
            err::<Selector>("[a]: 1\n").message,
            "invalid type: sequence, expected field identifier"
        );
    }

    #[test]
    fn json_fields_read_like_serde_json() {
        for text in [
            "a: [1, -2, 1.5, .nan, .inf, true, null, ~, x, '1', \"y\", {b: {c: []}}]\nd: {}\na: 2\n",
            "? [1]\n: x\n",
            "a: 1\n? {b: 1}\n: x\n",
            "- {a: 1, a: 2, b: 3}\n- ''\n- |\n  text\n",
            "0x1f\n",
            "",
        ] {
            let node = first(if text.is_empty() { "~" } else { text });
            let ours = from_node::<serde_json::Value>(&node);
            let serde = super::super::de::from_node::<serde_json::Value>(&node);
            assert_eq!(ours, serde, "{text}");
        }
        let e = from_node::<serde_json::Value>(&first("? [1]\n: x\n")).unwrap_err();
        assert_eq!(e.message, "invalid type: sequence, expected a string key");
    }

    #[test]
    fn numbers_and_nulls() {
        assert_eq!(
            err::<Port>("number: -1\n").message,
            "-1 is out of range for u32"
        );
        assert!(err::<Port>("number: \"80\"\n")
            .message
            .contains("expected u32"));
        // `null` is an empty object, and `None` for an optional field.
        assert_eq!(err::<Port>("~\n").message, "missing field `number`");
        assert_eq!(
            from_node::<Port>(&first("number: 1\nname:\n"))
                .unwrap()
                .name,
            None
        );
    }
}
