//! The JSON tree Envoy resources are built as, and `value!`, the literal syntax that builds it.
//!
//! Why not `serde_json::Value`: a 1,000-service sidecar is about 8,000 resources and 15 MB of
//! JSON, most of it the same sub-trees over and over (SDS secret configs, TLS parameters, retry
//! policies, circuit breakers). In `serde_json::Value` every copy of those is a fresh tree, every
//! key a fresh `String` and every object a hash map; building and freeing them was nearly all of
//! the translation time. Here:
//! - an object is a reference-counted list of entries, so cloning one (a cached constant, a
//!   template) costs one counter increment, and a shared object is copied only when written to
//!   (`Arc::make_mut`);
//! - keys and literal strings are `&'static str` when the code names them, owned only when computed;
//! - entries keep insertion order, which is Envoy's proto field order in our output.
//!
//! The reading API mirrors `serde_json::Value` (`get`, `[..]`, `as_str`, `pointer`, ...) so the
//! simulator and the tables read resources the same way; `Serialize` writes the same JSON, and
//! `From` converts to and from `serde_json::Value` at the edges (config dumps read back, tests).

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Number;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A key or string value: borrowed when the code spells it, owned when it is computed.
pub type Str = Cow<'static, str>;

/// One JSON value of an Envoy resource.
#[derive(Clone, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Str),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON object: entries in insertion order behind a shared pointer (clone is O(1); the first
/// write to a shared object copies its entry list, not its children).
#[derive(Clone, PartialEq)]
pub struct Map(Arc<Vec<(Str, Value)>>);

static NULL: Value = Value::Null;

/// Every new object starts as this one, so an object that stays empty allocates nothing.
static EMPTY: std::sync::LazyLock<Arc<Vec<(Str, Value)>>> =
    std::sync::LazyLock::new(|| Arc::new(Vec::new()));

impl Default for Map {
    fn default() -> Self {
        Map(Arc::clone(&EMPTY))
    }
}

impl Map {
    pub fn new() -> Self {
        Map::default()
    }

    /// An empty object with room for `n` entries (for objects built by `insert`, such as a
    /// cluster's fifteen-odd fields, so they are not re-grown as they fill).
    pub fn with_capacity(n: usize) -> Self {
        Map(Arc::new(Vec::with_capacity(n)))
    }

    /// An object from entries whose keys are distinct (as `value!` writes them).
    pub fn from_entries(entries: Vec<(Str, Value)>) -> Self {
        debug_assert!(
            entries
                .iter()
                .enumerate()
                .all(|(i, (k, _))| entries[..i].iter().all(|(seen, _)| seen != k)),
            "duplicate key in an object literal"
        );
        Map(Arc::new(entries))
    }

    fn entries_mut(&mut self) -> &mut Vec<(Str, Value)> {
        Arc::make_mut(&mut self.0)
    }

    /// Appends an entry whose key is not there yet; returns its index.
    fn push(&mut self, key: Str, value: Value) -> usize {
        let entries = self.entries_mut();
        if entries.capacity() == 0 {
            // Objects filled one field at a time usually get several: skip the 1-2-4 growth.
            entries.reserve(8);
        }
        entries.push((key, value));
        entries.len() - 1
    }

    /// Sets `key`, keeping its position if it was there; returns the old value.
    pub fn insert(&mut self, key: Str, value: Value) -> Option<Value> {
        match self.position(&key) {
            Some(i) => Some(std::mem::replace(&mut self.entries_mut()[i].1, value)),
            None => {
                self.push(key, value);
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        Some(self.entries_mut().remove(i).1)
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.position(key)?;
        Some(&mut self.entries_mut()[i].1)
    }

    /// The value at `key`, inserted as `null` first if absent (what `value[key] = ..` writes to).
    fn get_or_insert_null(&mut self, key: &str) -> &mut Value {
        let i = match self.position(key) {
            Some(i) => i,
            None => self.push(Cow::Owned(key.to_owned()), Value::Null),
        };
        &mut self.entries_mut()[i].1
    }

    /// The value at `key`, set to `make()` first if absent.
    pub fn get_or_insert_with(&mut self, key: Str, make: impl FnOnce() -> Value) -> &mut Value {
        let i = match self.position(&key) {
            Some(i) => i,
            None => self.push(key, make()),
        };
        &mut self.entries_mut()[i].1
    }

    /// The entries with their keys as stored (cloning a spelled-out key costs nothing).
    pub fn entries(&self) -> &[(Str, Value)] {
        &self.0
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> + DoubleEndedIterator {
        self.into_iter()
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.entries_mut().iter_mut().map(|(_, v)| v)
    }

    /// Keeps the entries `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &Value) -> bool) {
        if self.0.iter().all(|(k, v)| keep(k, v)) {
            return;
        }
        self.entries_mut().retain(|(k, v)| keep(k, v));
    }
}

type Entry = (Str, Value);

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a str, &'a Value);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Entry>, fn(&'a Entry) -> Self::Item>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl IntoIterator for Map {
    type Item = (Str, Value);
    type IntoIter = std::vec::IntoIter<(Str, Value)>;
    /// Moves the entries out when this is the only reference, copies them otherwise.
    fn into_iter(self) -> Self::IntoIter {
        Arc::unwrap_or_clone(self.0).into_iter()
    }
}

impl Extend<(Str, Value)> for Map {
    fn extend<T: IntoIterator<Item = (Str, Value)>>(&mut self, iter: T) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl std::ops::Index<&str> for Map {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl FromIterator<(Str, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (Str, Value)>>(iter: T) -> Self {
        let mut map = Map::new();
        map.extend(iter);
        map
    }
}

/// What can index a [`Value`]: object keys and array positions, as in `serde_json`.
pub trait ValueIndex {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value>;
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value>;
    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value;
}

impl ValueIndex for str {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        v.as_object()?.get(self)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        v.as_object_mut()?.get_mut(self)
    }
    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        if v.is_null() {
            *v = Value::Object(Map::new());
        }
        match v {
            Value::Object(map) => map.get_or_insert_null(self),
            other => panic!("cannot set key {self:?} on a non-object JSON value {other}"),
        }
    }
}

impl ValueIndex for String {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        self.as_str().index_into(v)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        self.as_str().index_into_mut(v)
    }
    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        self.as_str().index_or_insert(v)
    }
}

impl ValueIndex for usize {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        v.as_array()?.get(*self)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        v.as_array_mut()?.get_mut(*self)
    }
    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        match v {
            Value::Array(items) => {
                let len = items.len();
                items.get_mut(*self).unwrap_or_else(|| {
                    panic!("index {self} out of range for a JSON array of {len}")
                })
            }
            other => panic!("cannot index a non-array JSON value {other} by {self}"),
        }
    }
}

impl<T: ValueIndex + ?Sized> ValueIndex for &T {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        (**self).index_into(v)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        (**self).index_into_mut(v)
    }
    fn index_or_insert<'v>(&self, v: &'v mut Value) -> &'v mut Value {
        (**self).index_or_insert(v)
    }
}

impl<I: ValueIndex> std::ops::Index<I> for Value {
    type Output = Value;
    /// `null` when absent, as `serde_json` does, so chains like `v["a"]["b"]` read safely.
    fn index(&self, index: I) -> &Value {
        index.index_into(self).unwrap_or(&NULL)
    }
}

impl<I: ValueIndex> std::ops::IndexMut<I> for Value {
    fn index_mut(&mut self, index: I) -> &mut Value {
        index.index_or_insert(self)
    }
}

impl Value {
    /// A string the code spells out (no allocation).
    pub const fn from_static(s: &'static str) -> Value {
        Value::String(Cow::Borrowed(s))
    }

    pub fn get<I: ValueIndex>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    pub fn get_mut<I: ValueIndex>(&mut self, index: I) -> Option<&mut Value> {
        index.index_into_mut(self)
    }

    /// A JSON Pointer (RFC 6901) lookup, as `serde_json::Value::pointer`.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |at, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match at {
                Value::Object(map) => map.get(&token),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            }
        })
    }

    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => n.serialize(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map.iter() {
                    out.serialize_entry(k, v)?;
                }
                out.end()
            }
        }
    }
}

/// Read through `serde_json::Value` (config dumps and fixtures read back; never a hot path).
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(Value::from)
    }
}

impl fmt::Display for Value {
    /// Compact JSON; `{:#}` pretty-prints, as `serde_json::Value` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if f.alternate() {
            serde_json::to_string_pretty(self)
        } else {
            serde_json::to_string(self)
        };
        f.write_str(&text.map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(Cow::Owned(s)),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => Value::Object(Map(Arc::new(
                map.into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Value::from(v)))
                    .collect(),
            ))),
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Self {
        Value::from(v.clone())
    }
}

impl From<&Value> for serde_json::Value {
    fn from(v: &Value) -> Self {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Into::into).collect()),
            Value::Object(map) => serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.to_owned(), v.into())).collect(),
            ),
        }
    }
}

impl PartialEq<serde_json::Value> for Value {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match (self, other) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => a == b,
            (Value::String(a), serde_json::Value::String(b)) => a == b,
            (Value::Array(a), serde_json::Value::Array(b)) => a == b,
            (Value::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<Value> for serde_json::Value {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}
impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}
impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}
impl PartialEq<bool> for Value {
    fn eq(&self, other: &bool) -> bool {
        self.as_bool() == Some(*other)
    }
}

macro_rules! numbers {
    ($($t:ty => $as:ident),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(Number::from(n))
            }
        }
        impl PartialEq<$t> for Value {
            fn eq(&self, other: &$t) -> bool {
                self.$as() == Some(*other as _)
            }
        }
    )*};
}
numbers!(u16 => as_u64, u32 => as_u64, u64 => as_u64, usize => as_u64, i32 => as_i64, i64 => as_i64);

impl From<f64> for Value {
    /// Non-finite numbers have no JSON form; they become `null`, as in `serde_json`.
    fn from(n: f64) -> Self {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}
impl PartialEq<f64> for Value {
    fn eq(&self, other: &f64) -> bool {
        self.as_f64() == Some(*other)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(Cow::Owned(s))
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(Cow::Owned(s.to_owned()))
    }
}
impl From<Str> for Value {
    fn from(s: Str) -> Self {
        Value::String(s)
    }
}
impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::Array(items)
    }
}
impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Object(map)
    }
}

/// What `value!` accepts for a value: the scalar, string and JSON types Envoy resources are made
/// of, owned (moved in) or borrowed (copied; a borrowed `Value` is an O(1) clone of its objects).
pub trait ToValue {
    fn to_value(self) -> Value;
}

macro_rules! via_from {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(self) -> Value {
                Value::from(self)
            }
        }
        impl ToValue for &$t {
            fn to_value(self) -> Value {
                Value::from(self.clone())
            }
        }
    )*};
}
via_from!(Value, String, bool, u16, u32, u64, usize, i32, i64, f64, Map, Str);

impl ToValue for &str {
    fn to_value(self) -> Value {
        Value::from(self)
    }
}
impl ToValue for &&str {
    fn to_value(self) -> Value {
        Value::from(*self)
    }
}
impl ToValue for &serde_json::Value {
    fn to_value(self) -> Value {
        Value::from(self)
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(self) -> Value {
        self.map_or(Value::Null, ToValue::to_value)
    }
}
impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(self) -> Value {
        Value::Array(self.into_iter().map(ToValue::to_value).collect())
    }
}
impl<'a, T> ToValue for &'a Vec<T>
where
    &'a T: ToValue,
{
    fn to_value(self) -> Value {
        Value::Array(self.iter().map(ToValue::to_value).collect())
    }
}
impl<'a, T> ToValue for &'a [T]
where
    &'a T: ToValue,
{
    fn to_value(self) -> Value {
        Value::Array(self.iter().map(ToValue::to_value).collect())
    }
}

/// A literal written in `value!` (strings stay borrowed; integer literals are `i32` by default).
pub trait Literal {
    fn literal(self) -> Value;
}
impl Literal for &'static str {
    fn literal(self) -> Value {
        Value::from_static(self)
    }
}
macro_rules! literal_via_from {
    ($($t:ty),*) => {$(
        impl Literal for $t {
            fn literal(self) -> Value {
                Value::from(self)
            }
        }
    )*};
}
literal_via_from!(bool, i32, i64, u32, u64, f64);

/// A computed key in `value!` (`(expr): value`).
pub trait IntoKey {
    fn into_key(self) -> Str;
}
impl IntoKey for String {
    fn into_key(self) -> Str {
        Cow::Owned(self)
    }
}
impl IntoKey for &str {
    fn into_key(self) -> Str {
        Cow::Owned(self.to_owned())
    }
}
impl IntoKey for &String {
    fn into_key(self) -> Str {
        Cow::Owned(self.clone())
    }
}
impl IntoKey for Str {
    fn into_key(self) -> Str {
        self
    }
}

/// `serde_json::json!`'s syntax (objects, arrays, `null`, `"key": expr`, `(expr): expr` for
/// computed keys) building a [`Value`]: each object is allocated once at its final size, literal
/// keys and strings are not copied, and interpolated expressions go through [`ToValue`] (moved
/// when owned). `json!` instead serialized every interpolated value into a fresh tree.
#[macro_export]
macro_rules! value {
    (null) => {
        $crate::envoy::value::Value::Null
    };
    ({}) => {
        $crate::envoy::value::Value::Object($crate::envoy::value::Map::new())
    };
    ({ $($body:tt)+ }) => {
        $crate::envoy::value::Value::Object($crate::envoy::value::Map::from_entries(
            $crate::value!(@entries [] $($body)+)
        ))
    };
    ([]) => {
        $crate::envoy::value::Value::Array(::std::vec::Vec::new())
    };
    ([ $($body:tt)+ ]) => {
        $crate::envoy::value::Value::Array($crate::value!(@items [] $($body)+))
    };

    // Object entries: collect `(key, value),` pairs, then one `vec!` of the final size.
    (@entries [$($done:tt)*]) => {
        ::std::vec![$($done)*]
    };
    (@entries [$($done:tt)*] $key:literal : $($rest:tt)+) => {
        $crate::value!(@entry [$($done)*] (::std::borrow::Cow::Borrowed($key)) $($rest)+)
    };
    (@entries [$($done:tt)*] ($key:expr) : $($rest:tt)+) => {
        $crate::value!(@entry [$($done)*] ($crate::envoy::value::IntoKey::into_key($key)) $($rest)+)
    };
    (@entry [$($done:tt)*] $key:tt null $(, $($rest:tt)*)?) => {
        $crate::value!(@entries [$($done)* ($key, $crate::envoy::value::Value::Null),] $($($rest)*)?)
    };
    (@entry [$($done:tt)*] $key:tt { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $crate::value!(@entries [$($done)* ($key, $crate::value!({ $($inner)* })),] $($($rest)*)?)
    };
    (@entry [$($done:tt)*] $key:tt [ $($inner:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::value!(@entries [$($done)* ($key, $crate::value!([ $($inner)* ])),] $($($rest)*)?)
    };
    (@entry [$($done:tt)*] $key:tt $value:literal $(, $($rest:tt)*)?) => {
        $crate::value!(@entries [$($done)* ($key, $crate::envoy::value::Literal::literal($value)),] $($($rest)*)?)
    };
    (@entry [$($done:tt)*] $key:tt $value:expr $(, $($rest:tt)*)?) => {
        $crate::value!(@entries [$($done)* ($key, $crate::envoy::value::ToValue::to_value($value)),] $($($rest)*)?)
    };

    // Array items, the same way.
    (@items [$($done:tt)*]) => {
        ::std::vec![$($done)*]
    };
    (@items [$($done:tt)*] null $(, $($rest:tt)*)?) => {
        $crate::value!(@items [$($done)* $crate::envoy::value::Value::Null,] $($($rest)*)?)
    };
    (@items [$($done:tt)*] { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $crate::value!(@items [$($done)* $crate::value!({ $($inner)* }),] $($($rest)*)?)
    };
    (@items [$($done:tt)*] [ $($inner:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::value!(@items [$($done)* $crate::value!([ $($inner)* ]),] $($($rest)*)?)
    };
    (@items [$($done:tt)*] $value:literal $(, $($rest:tt)*)?) => {
        $crate::value!(@items [$($done)* $crate::envoy::value::Literal::literal($value),] $($($rest)*)?)
    };
    (@items [$($done:tt)*] $value:expr $(, $($rest:tt)*)?) => {
        $crate::value!(@items [$($done)* $crate::envoy::value::ToValue::to_value($value),] $($($rest)*)?)
    };

    ($value:literal) => {
        $crate::envoy::value::Literal::literal($value)
    };
    ($value:expr) => {
        $crate::envoy::value::ToValue::to_value($value)
    };
}

/// A constant sub-tree (a `value!` literal that captures nothing), built once per process and
/// shared: every use is an O(1) clone. For the pieces istiod repeats in every cluster and route
/// (SDS configs, TLS parameters, default retry policy, ...).
#[macro_export]
macro_rules! shared {
    ($($json:tt)+) => {{
        static SHARED: ::std::sync::LazyLock<$crate::envoy::value::Value> =
            ::std::sync::LazyLock::new(|| $crate::value!($($json)+));
        ::std::clone::Clone::clone(&*SHARED)
    }};
}

/// Tests write hand-made Envoy resources with `serde_json::json!` and convert them.
#[cfg(test)]
#[macro_export]
macro_rules! json_value {
    ($($json:tt)+) => {
        $crate::envoy::value::Value::from(::serde_json::json!($($json)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_the_same_tree_as_json() {
        let inner = value!({"b": [1, 2]});
        let key = "computed";
        let built = value!({
            "a": inner.clone(),
            "list": [{"x": null}, [true], "s", 3, "t".to_string(), -1],
            (key): key.to_string(),
            "none": Option::<u32>::None,
            "empty": {},
        });
        let expected = json!({
            "a": {"b": [1, 2]},
            "list": [{"x": null}, [true], "s", 3, "t", -1],
            "computed": "computed",
            "none": null,
            "empty": {},
        });
        assert_eq!(built, expected);
        assert_eq!(serde_json::to_value(&built).unwrap(), expected);
        // Key order is insertion order, as Envoy's proto field order is kept in the output.
        let keys: Vec<&str> = built.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "list", "computed", "none", "empty"]);
        assert_eq!(value!(null), Value::Null);
        assert_eq!(value!("x"), json!("x"));
        assert_eq!(built.to_string(), serde_json::to_string(&expected).unwrap());
    }

    #[test]
    fn a_shared_object_is_copied_on_write_only() {
        let template = value!({"retry_on": "5xx", "num_retries": 2});
        let mut route = value!({"retry_policy": template.clone()});
        route["retry_policy"]["num_retries"] = value!(3);
        route["timeout"] = value!("0s");
        assert_eq!(template["num_retries"], 2);
        assert_eq!(route["retry_policy"]["num_retries"], 3);
        assert_eq!(route["retry_policy"]["retry_on"], "5xx");
        let keys: Vec<&str> = route.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["retry_policy", "timeout"]);
    }

    #[test]
    fn shared_constants_are_built_once() {
        fn sds() -> Value {
            shared!({"ads": {}, "resource_api_version": "V3"})
        }
        let (mut a, b) = (sds(), sds());
        let (Value::Object(x), Value::Object(y)) = (&a, &b) else {
            panic!("objects")
        };
        assert!(Arc::ptr_eq(&x.0, &y.0), "one tree, shared");
        a["resource_api_version"] = value!("V2");
        assert_eq!(
            sds()["resource_api_version"],
            "V3",
            "a write copies, the constant stays"
        );
    }

    #[test]
    fn reads_like_serde_json() {
        let v = value!({"a": [{"b/c": 1}], "s": "x"});
        assert_eq!(v.pointer("/a/0/b~1c"), Some(&value!(1)));
        assert_eq!(v.pointer("/a/1"), None);
        assert!(v["missing"]["deeper"].is_null());
        assert_eq!(v["s"], "x");
        assert_eq!(v.get("a").and_then(|a| a.get(0)), Some(&value!({"b/c": 1})));
        let back: Value = serde_json::from_str(&v.to_string()).unwrap();
        assert_eq!(back, v);
        let mut m = v.as_object().unwrap().clone();
        assert_eq!(m.insert("s".into(), value!("y")), Some(value!("x")));
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a", "s"]);
        assert_eq!(v["s"], "x", "the original is untouched");
    }
}
