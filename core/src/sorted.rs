//! Ordered map and set as sorted vectors, in place of std's `BTreeMap`/`BTreeSet`: the page's wasm
//! carried B-tree code (node split/merge, iterators, drop) for every key/value type, about 20 KB
//! gzipped. Here keys and values live in two vectors kept sorted by key; lookups are a binary
//! search shared by every map (one non-generic loop over a comparison callback), and sorting a
//! collected map sorts indices once (one non-generic sort). Iteration is in key order, the order
//! `BTreeMap` gave. Inserting into a large map in random order costs O(n) per insert: build large
//! maps with `collect`/`extend`, which sort once.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::marker::PhantomData;

/// Binary search over positions `0..n`; `cmp(i)` orders position `i` against the key sought.
fn search(n: usize, cmp: &dyn Fn(usize) -> Ordering) -> Result<usize, usize> {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match cmp(mid) {
            Ordering::Less => lo = mid + 1,
            Ordering::Greater => hi = mid,
            Ordering::Equal => return Ok(mid),
        }
    }
    Err(lo)
}

/// The positions to keep, in key order, of `n` entries in insertion order: for equal keys the
/// last one (as `BTreeMap`'s `collect` keeps). `None` when the entries are already strictly
/// ascending.
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Option<Vec<usize>> {
    if (1..n).all(|i| cmp(i - 1, i) == Ordering::Less) {
        return None;
    }
    // Stable: equal keys stay in insertion order, so the last of them is the one kept.
    let idx = crate::order::permutation(n, &mut |a, b| cmp(a, b));
    let mut keep: Vec<usize> = Vec::with_capacity(n);
    for i in idx {
        match keep.last_mut() {
            Some(last) if cmp(*last, i) == Ordering::Equal => *last = i,
            _ => keep.push(i),
        }
    }
    Some(keep)
}

/// `v`'s elements at the positions `order` names, in that order; the others are dropped.
fn gather<T>(v: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = v.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect()
}

/// An ordered map: keys ascending, one value per key.
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    keys: Vec<K>,
    vals: Vec<V>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V> SortedMap<K, V> {
    pub const fn new() -> Self {
        Self {
            keys: Vec::new(),
            vals: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.vals.clear();
    }

    pub fn iter(&self) -> Iter<'_, K, V> {
        self.keys.iter().zip(self.vals.iter())
    }

    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        self.keys.iter().zip(self.vals.iter_mut())
    }

    pub fn keys(&self) -> std::slice::Iter<'_, K> {
        self.keys.iter()
    }

    pub fn values(&self) -> std::slice::Iter<'_, V> {
        self.vals.iter()
    }

    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, V> {
        self.vals.iter_mut()
    }

    pub fn into_keys(self) -> std::vec::IntoIter<K> {
        self.keys.into_iter()
    }

    pub fn into_values(self) -> std::vec::IntoIter<V> {
        self.vals.into_iter()
    }

    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.iter().next()
    }

    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.iter().next_back()
    }

    /// Keep the entries for which `f` says true, in order.
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        let keep: Vec<usize> = (0..self.keys.len())
            .filter(|&i| f(&self.keys[i], &mut self.vals[i]))
            .collect();
        if keep.len() != self.keys.len() {
            self.keys = gather(std::mem::take(&mut self.keys), &keep);
            self.vals = gather(std::mem::take(&mut self.vals), &keep);
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        search(self.keys.len(), &|i| self.keys[i].borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.vals[i])
    }

    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| (&self.keys[i], &self.vals[i]))
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.vals[i])
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Insert or replace; the old value when the key was there.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.vals[i], value)),
            Err(i) => {
                self.keys.insert(i, key);
                self.vals.insert(i, value);
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        self.keys.remove(i);
        Some(self.vals.remove(i))
    }

    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let at = self.find(&key);
        Entry { map: self, key, at }
    }

    /// Sort collected entries by key, keeping the last value of equal keys.
    fn from_parts(keys: Vec<K>, vals: Vec<V>) -> Self {
        match order(keys.len(), &|a, b| keys[a].cmp(&keys[b])) {
            None => Self { keys, vals },
            Some(keep) => Self {
                keys: gather(keys, &keep),
                vals: gather(vals, &keep),
            },
        }
    }
}

impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SortedMap<K, V> {
    type Output = V;
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

/// A place in a map for a key, there or not, as `BTreeMap::entry` gives.
pub struct Entry<'a, K, V> {
    map: &'a mut SortedMap<K, V>,
    key: K,
    at: Result<usize, usize>,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert_with(self, f: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.map.keys.insert(i, self.key);
                self.map.vals.insert(i, f());
                i
            }
        };
        &mut self.map.vals[i]
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

pub type Iter<'a, K, V> = std::iter::Zip<std::slice::Iter<'a, K>, std::slice::Iter<'a, V>>;
pub type IterMut<'a, K, V> = std::iter::Zip<std::slice::Iter<'a, K>, std::slice::IterMut<'a, V>>;
pub type IntoIter<K, V> = std::iter::Zip<std::vec::IntoIter<K>, std::vec::IntoIter<V>>;

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let (keys, vals): (Vec<K>, Vec<V>) = iter.into_iter().unzip();
        Self::from_parts(keys, vals)
    }
}

impl<K: Ord, V> Extend<(K, V)> for SortedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let mut keys = std::mem::take(&mut self.keys);
        let mut vals = std::mem::take(&mut self.vals);
        for (k, v) in iter {
            keys.push(k);
            vals.push(v);
        }
        *self = Self::from_parts(keys, vals);
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.keys.into_iter().zip(self.vals)
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut SortedMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for SortedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for MapVisitor<K, V> {
            type Value = SortedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let (mut keys, mut vals) = (Vec::new(), Vec::new());
                while let Some((k, v)) = access.next_entry()? {
                    keys.push(k);
                    vals.push(v);
                }
                Ok(SortedMap::from_parts(keys, vals))
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// An ordered set: a [`SortedMap`] with no values (a `Vec<()>` allocates nothing).
#[derive(Clone, PartialEq, Eq)]
pub struct SortedSet<T> {
    map: SortedMap<T, ()>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> SortedSet<T> {
    pub const fn new() -> Self {
        Self {
            map: SortedMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.map.keys()
    }

    pub fn first(&self) -> Option<&T> {
        self.map.keys.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.map.keys.last()
    }
}

impl<T: Ord> SortedSet<T> {
    pub fn contains<Q: Ord + ?Sized>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.map.contains_key(value)
    }

    /// True when the value was not there yet (an equal value already there is kept).
    pub fn insert(&mut self, value: T) -> bool {
        match self.map.find(&value) {
            Ok(_) => false,
            Err(i) => {
                self.map.keys.insert(i, value);
                self.map.vals.insert(i, ());
                true
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.map.remove(value).is_some()
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let keys: Vec<T> = iter.into_iter().collect();
        let vals = vec![(); keys.len()];
        Self {
            map: SortedMap::from_parts(keys, vals),
        }
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.map.extend(iter.into_iter().map(|t| (t, ())));
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for SortedSet<T> {
    fn from(values: [T; N]) -> Self {
        values.into_iter().collect()
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.into_keys()
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: fmt::Debug> fmt::Debug for SortedSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Serialize> Serialize for SortedSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for v in self {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    #[test]
    fn collect_keeps_the_last_value_of_equal_keys_like_btreemap() {
        let input = [(3, "a"), (1, "b"), (3, "c"), (2, "d"), (1, "e"), (3, "f")];
        let ours: SortedMap<i32, &str> = input.into_iter().collect();
        let std: BTreeMap<i32, &str> = input.into_iter().collect();
        assert!(ours.iter().eq(std.iter()));
        let mut ext = SortedMap::from([(2, "x"), (9, "y")]);
        ext.extend(input);
        let mut std_ext = BTreeMap::from([(2, "x"), (9, "y")]);
        std_ext.extend(input);
        assert!(ext.iter().eq(std_ext.iter()));
    }

    #[test]
    fn insert_get_remove_entry_retain_match_btreemap() {
        let mut ours = SortedMap::new();
        let mut std = BTreeMap::new();
        for i in 0..200u32 {
            let k = (i * 7919) % 61;
            assert_eq!(ours.insert(k, i), std.insert(k, i));
            *ours.entry(k + 100).or_default() += 1;
            *std.entry(k + 100).or_default() += 1;
            if i % 5 == 0 {
                assert_eq!(ours.remove(&(k / 2)), std.remove(&(k / 2)));
            }
        }
        assert!(ours.iter().eq(std.iter()));
        assert_eq!(ours.get(&3), std.get(&3));
        assert_eq!(ours.len(), std.len());
        ours.retain(|k, v| (k + *v) % 3 != 0);
        std.retain(|k, v| (k + *v) % 3 != 0);
        assert!(ours.clone().into_iter().eq(std.clone()));
    }

    #[test]
    fn sets_match_btreeset() {
        let words = ["b", "a", "c", "a", "b", "d"];
        let ours: SortedSet<&str> = words.into_iter().collect();
        let std: BTreeSet<&str> = words.into_iter().collect();
        assert!(ours.iter().eq(std.iter()));
        let mut one = SortedSet::new();
        for w in words {
            let fresh = !one.contains(w);
            assert_eq!(one.insert(w), fresh);
        }
        assert!(one.iter().eq(std.iter()));
        assert!(one.remove("c"));
        assert!(!one.contains("c"));
    }
}
