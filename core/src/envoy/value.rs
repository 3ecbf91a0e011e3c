//! `value!`: JSON literals for Envoy resources, built by moving values in.
//!
//! The syntax is `serde_json::json!`'s (objects, arrays, `null`, `"key": expr`, `(expr): expr`
//! for computed keys), but every interpolated expression is converted with [`ToValue`] instead
//! of being serialized. `json!` serializes each interpolated `Value` into a fresh tree, so
//! nesting already-built pieces (a cluster's TLS context, a route's clusters) copied them once
//! per level; that copying was most of the translation time. Owned values move; borrowed
//! strings and numbers are copied as `json!` would; a borrowed `&Value` is cloned, visibly.

use serde_json::{Map, Value};
use std::borrow::Cow;

/// The start of a `value!` array (a function, so clippy does not suggest `vec![]`, which the
/// macro's one-element-at-a-time expansion cannot use).
#[doc(hidden)]
pub fn empty_array() -> Vec<Value> {
    Vec::new()
}

/// What `value!` accepts where `json!` takes any `Serialize`: the scalar, string and JSON types
/// Envoy resources are made of, owned (moved) or borrowed (copied).
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
via_from!(Value, String, bool, u16, u32, u64, usize, i32, i64, f64, Map<String, Value>);

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
impl ToValue for Cow<'_, str> {
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

#[macro_export]
macro_rules! value {
    (null) => {
        ::serde_json::Value::Null
    };
    ({ $($body:tt)* }) => {{
        #[allow(unused_mut)]
        let mut object = ::serde_json::Map::new();
        $crate::value!(@object object; $($body)*);
        ::serde_json::Value::Object(object)
    }};
    ([ $($body:tt)* ]) => {{
        #[allow(unused_mut)]
        let mut array = $crate::envoy::value::empty_array();
        $crate::value!(@array array; $($body)*);
        ::serde_json::Value::Array(array)
    }};
    (@object $object:ident;) => {};
    (@object $object:ident; $key:tt : null $(, $($rest:tt)*)?) => {
        $object.insert(::std::string::String::from($key), ::serde_json::Value::Null);
        $crate::value!(@object $object; $($($rest)*)?);
    };
    (@object $object:ident; $key:tt : { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $object.insert(::std::string::String::from($key), $crate::value!({ $($inner)* }));
        $crate::value!(@object $object; $($($rest)*)?);
    };
    (@object $object:ident; $key:tt : [ $($inner:tt)* ] $(, $($rest:tt)*)?) => {
        $object.insert(::std::string::String::from($key), $crate::value!([ $($inner)* ]));
        $crate::value!(@object $object; $($($rest)*)?);
    };
    (@object $object:ident; $key:tt : $value:expr $(, $($rest:tt)*)?) => {
        $object.insert(::std::string::String::from($key), $crate::envoy::value::ToValue::to_value($value));
        $crate::value!(@object $object; $($($rest)*)?);
    };
    (@array $array:ident;) => {};
    (@array $array:ident; null $(, $($rest:tt)*)?) => {
        $array.push(::serde_json::Value::Null);
        $crate::value!(@array $array; $($($rest)*)?);
    };
    (@array $array:ident; { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $array.push($crate::value!({ $($inner)* }));
        $crate::value!(@array $array; $($($rest)*)?);
    };
    (@array $array:ident; [ $($inner:tt)* ] $(, $($rest:tt)*)?) => {
        $array.push($crate::value!([ $($inner)* ]));
        $crate::value!(@array $array; $($($rest)*)?);
    };
    (@array $array:ident; $value:expr $(, $($rest:tt)*)?) => {
        $array.push($crate::envoy::value::ToValue::to_value($value));
        $crate::value!(@array $array; $($($rest)*)?);
    };
    ($value:expr) => {
        $crate::envoy::value::ToValue::to_value($value)
    };
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    #[test]
    fn builds_the_same_tree_as_json() {
        let inner = json!({"b": [1, 2]});
        let key = "computed";
        let built = value!({
            "a": inner.clone(),
            "list": [{"x": null}, [true], "s", 3],
            (key): key.to_string(),
            "none": Option::<u32>::None,
            "empty": {},
        });
        let expected = json!({
            "a": inner,
            "list": [{"x": null}, [true], "s", 3],
            "computed": "computed",
            "none": null,
            "empty": {},
        });
        assert_eq!(built, expected);
        // Key order is insertion order, as Envoy's proto field order is kept in the output.
        let keys: Vec<&String> = built.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "list", "computed", "none", "empty"]);
        assert_eq!(value!(null), Value::Null);
        assert_eq!(value!("x"), json!("x"));
    }
}
