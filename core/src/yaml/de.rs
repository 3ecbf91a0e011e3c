//! A serde deserializer over a positioned YAML node, strict like Kubernetes' decoder: wrong types
//! are errors, and every error carries the span of the node that caused it. It reads the mesh
//! config; the input model has its own, smaller decoder (`decode.rs`) with the same rules and
//! messages (`error.rs`).

use super::error::{invalid_type, DeError};
use super::{Node, Scalar, Value};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            span: None,
        }
    }
}

/// Decode `node` into `T`.
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, DeError> {
    T::deserialize(NodeDe(node))
}

struct NodeDe<'a>(&'a Node);

impl<'a> NodeDe<'a> {
    /// Errors raised while visiting this node point at it, unless a deeper node already claimed them.
    fn at<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|mut e| {
            e.span.get_or_insert(self.0.span);
            e
        })
    }

    fn wrong<T>(&self, exp: &dyn de::Expected) -> Result<T, DeError> {
        Err(invalid_type(self.0, &format_args!("{exp}")))
    }
}

struct Seq<'a> {
    iter: std::slice::Iter<'a, Node>,
}

impl<'de> SeqAccess<'de> for Seq<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.iter.next() {
            None => Ok(None),
            Some(n) => {
                let de = NodeDe(n);
                de.at(seed.deserialize(NodeDe(n))).map(Some)
            }
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct Map<'a> {
    iter: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for Map<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.iter.next() {
            None => Ok(None),
            Some((k, v)) => {
                self.value = Some(v);
                let de = NodeDe(k);
                de.at(seed.deserialize(KeyDe(k))).map(Some)
            }
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let v = self.value.take().expect("value after key");
        let de = NodeDe(v);
        de.at(seed.deserialize(NodeDe(v)))
    }
}

/// Mapping keys are strings in every Kubernetes object; a key is decoded by its text.
struct KeyDe<'a>(&'a Node);

impl<'de> de::Deserializer<'de> for KeyDe<'de> {
    type Error = DeError;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.as_str() {
            Some(s) => visitor.visit_borrowed_str(s),
            None => NodeDe(self.0).deserialize_any(visitor),
        }
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

macro_rules! int_method {
    ($name:ident, $ty:ty, $visit:ident) => {
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.0.scalar() {
                Some(Scalar::Int(i)) => match <$ty>::try_from(i) {
                    Ok(v) => self.at(visitor.$visit(v)),
                    Err(_) => Err(DeError {
                        message: format!("{} is out of range for {}", i, stringify!($ty)),
                        span: Some(self.0.span),
                    }),
                },
                _ => self.wrong(&visitor),
            }
        }
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.0.value {
            Value::Seq(items) => visitor.visit_seq(Seq { iter: items.iter() }),
            Value::Map(entries) => visitor.visit_map(Map {
                iter: entries.iter(),
                value: None,
            }),
            Value::Scalar { text, .. } => match self.0.scalar() {
                Some(Scalar::Null) => visitor.visit_unit(),
                Some(Scalar::Bool(b)) => visitor.visit_bool(b),
                Some(Scalar::Int(i)) => visitor.visit_i64(i),
                Some(Scalar::Float(f)) => visitor.visit_f64(f),
                _ => visitor.visit_borrowed_str(text),
            },
        };
        self.at(r)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.scalar() {
            Some(Scalar::Bool(b)) => self.at(visitor.visit_bool(b)),
            _ => self.wrong(&visitor),
        }
    }

    int_method!(deserialize_i8, i8, visit_i8);
    int_method!(deserialize_i16, i16, visit_i16);
    int_method!(deserialize_i32, i32, visit_i32);
    int_method!(deserialize_i64, i64, visit_i64);
    int_method!(deserialize_u8, u8, visit_u8);
    int_method!(deserialize_u16, u16, visit_u16);
    int_method!(deserialize_u32, u32, visit_u32);
    int_method!(deserialize_u64, u64, visit_u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.scalar() {
            Some(Scalar::Float(f)) => self.at(visitor.visit_f64(f)),
            Some(Scalar::Int(i)) => self.at(visitor.visit_f64(i as f64)),
            _ => self.wrong(&visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0.scalar() {
            Some(Scalar::Str(_)) => {
                self.at(visitor.visit_borrowed_str(self.0.as_str().unwrap_or("")))
            }
            _ => self.wrong(&visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() {
            self.at(visitor.visit_none())
        } else {
            self.at(visitor.visit_some(NodeDe(self.0)))
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.0.is_null() {
            self.at(visitor.visit_unit())
        } else {
            self.wrong(&visitor)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.at(visitor.visit_newtype_struct(NodeDe(self.0)))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.0.value {
            Value::Seq(items) => self.at(visitor.visit_seq(Seq { iter: items.iter() })),
            _ => self.wrong(&visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.0.value {
            Value::Map(entries) => self.at(visitor.visit_map(Map {
                iter: entries.iter(),
                value: None,
            })),
            _ => self.wrong(&visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // `field:` with nothing after it is an empty object to Kubernetes' decoder.
        if self.0.is_null() {
            return self.at(visitor.visit_map(Map {
                iter: [].iter(),
                value: None,
            }));
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0.scalar() {
            Some(Scalar::Str(s)) => self.at(visitor.visit_enum(s.into_deserializer())),
            _ => self.wrong(&visitor),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.at(visitor.visit_unit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Port {
        number: u32,
        name: Option<String>,
    }

    fn first(text: &str) -> Node {
        parse_stream(text).0.remove(0).root
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let node = first("number: eighty\nname: http\n");
        let err = from_node::<Port>(&node).unwrap_err();
        assert!(err.message.contains("expected u32"), "{}", err.message);
        assert_eq!(err.span.unwrap().start_line, 1);
        assert_eq!(err.span.unwrap().start_col, 9);
    }

    #[test]
    fn unknown_field_points_at_the_key() {
        let node = first("number: 80\nnmae: http\n");
        let err = from_node::<Port>(&node).unwrap_err();
        assert!(
            err.message.contains("unknown field `nmae`"),
            "{}",
            err.message
        );
        assert_eq!(err.span.unwrap().start_line, 2);
    }

    #[test]
    fn quoted_number_is_not_a_number() {
        let node = first("number: \"80\"\n");
        assert!(from_node::<Port>(&node).is_err());
        let port: Port = from_node(&first("number: 80\n")).unwrap();
        assert_eq!(port.number, 80);
        let node = first("number: 80\nname: \"80\"\n");
        assert_eq!(
            from_node::<Port>(&node).unwrap().name.as_deref(),
            Some("80")
        );
    }
}
