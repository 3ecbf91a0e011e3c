//! The input model written back out (`pilotlight convert` prints the Istio objects istiod derives
//! from Gateway API and Ingress): the inverse of [`super::decode`], key for key, as protobuf's
//! JSON leaves proto3 defaults out (empty strings and lists, `false`, `0`), while a set `Option`
//! is printed even when it holds a default.

use crate::sorted::SortedMap;
use serde_json::{Map, Value};

pub trait Encode {
    /// The value, or `None` when proto3 JSON would leave the field out.
    fn encode(&self) -> Option<Value>;
    /// The value even when it is the default (an `Option` that is set, a list element).
    fn encode_present(&self) -> Value {
        self.encode().unwrap_or(Value::Null)
    }
}

impl Encode for String {
    fn encode(&self) -> Option<Value> {
        (!self.is_empty()).then(|| Value::String(self.clone()))
    }
    fn encode_present(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Encode for bool {
    fn encode(&self) -> Option<Value> {
        self.then_some(Value::Bool(true))
    }
    fn encode_present(&self) -> Value {
        Value::Bool(*self)
    }
}

macro_rules! encode_number {
    ($($ty:ty),*) => {$(
        impl Encode for $ty {
            fn encode(&self) -> Option<Value> {
                (*self != 0).then(|| Value::from(*self))
            }
            fn encode_present(&self) -> Value {
                Value::from(*self)
            }
        }
    )*};
}

encode_number!(u32, u64, i64);

impl Encode for f64 {
    fn encode(&self) -> Option<Value> {
        (*self != 0.0).then(|| self.encode_present())
    }
    fn encode_present(&self) -> Value {
        if self.fract() == 0.0 && self.abs() < 1e15 {
            Value::from(*self as i64)
        } else {
            serde_json::Number::from_f64(*self).map_or(Value::Null, Value::Number)
        }
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self) -> Option<Value> {
        self.as_ref().map(Encode::encode_present)
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self) -> Option<Value> {
        (!self.is_empty()).then(|| Value::Array(self.iter().map(Encode::encode_present).collect()))
    }
}

impl<T: Encode> Encode for SortedMap<String, T> {
    fn encode(&self) -> Option<Value> {
        if self.is_empty() {
            return None;
        }
        let m: Map<String, Value> = self
            .iter()
            .map(|(k, v)| (k.clone(), v.encode_present()))
            .collect();
        Some(Value::Object(m))
    }
}

impl Encode for Value {
    fn encode(&self) -> Option<Value> {
        (!self.is_null()).then(|| self.clone())
    }
}

/// One struct's fields under their keys; `{}` when every field is a default.
pub fn object(fields: &[(&str, Option<Value>)]) -> Value {
    Value::Object(
        fields
            .iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
            .collect(),
    )
}
