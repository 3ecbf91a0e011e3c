//! Stable sorting with one copy of the machine code.
//!
//! Why this exists: std's `sort*` methods are generic over the element type and the comparator,
//! so every call site instantiates its own copy of the whole driftsort/quicksort machinery. In
//! the page's wasm that was about 120 KB (uncompressed, before wasm-opt) for roughly 120
//! instantiations. Here the algorithm lives in two non-generic functions: [`permutation`], a
//! bottom-up merge sort of element indices that reaches the elements through a `dyn` comparator,
//! and [`permute`], which moves the elements into place through a `dyn` swap. The generic part
//! per call site is two small closures.
//!
//! Every sort here is stable (equal elements keep their order), like std's `sort`, `sort_by` and
//! `sort_by_key`, and O(n log n) comparisons; an already sorted input costs n - 1 comparisons.
//! Use these instead of the slice methods in the core and the page (clippy.toml refuses the
//! slice methods); the unit tests below check them against std. `crate::sorted`'s maps and sets
//! sort through [`permutation`] too.

use std::cmp::Ordering;

/// Sorts `v` stably by `Ord`, like `slice::sort`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` stably by the key `f` returns, like `slice::sort_by_key` (the key is computed for
/// both sides of every comparison).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// Sorts `v` stably with the comparator `compare`, like `slice::sort_by`.
pub fn sort_by<T>(v: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut perm = permutation(v.len(), &mut |a, b| compare(&v[a], &v[b]));
    permute(&mut perm, &mut |a, b| v.swap(a, b));
}

/// Runs shorter than this are sorted by insertion before merging.
const RUN: usize = 8;

/// The stable sorted order of `n` elements compared by index: position `i` of the result is the
/// index of the element that belongs at `i`.
pub(crate) fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut src: Vec<usize> = (0..n).collect();
    // Short runs by insertion: an element moves left only past strictly greater ones.
    for start in (0..n).step_by(RUN) {
        let end = (start + RUN).min(n);
        for i in start + 1..end {
            let x = src[i];
            let mut j = i;
            while j > start && cmp(src[j - 1], x) == Ordering::Greater {
                src[j] = src[j - 1];
                j -= 1;
            }
            src[j] = x;
        }
    }
    if n <= RUN {
        return src;
    }
    // Then merge neighbouring runs, doubling their width, between two buffers.
    let mut dst = vec![0; n];
    let mut width = RUN;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            merge(&src[start..mid], &src[mid..end], &mut dst[start..end], cmp);
        }
        std::mem::swap(&mut src, &mut dst);
        width *= 2;
    }
    src
}

/// Merges two sorted runs into `out`; on ties the left run's element comes first (stability).
fn merge(
    left: &[usize],
    right: &[usize],
    out: &mut [usize],
    cmp: &mut dyn FnMut(usize, usize) -> Ordering,
) {
    let (l, r) = (left.len(), right.len());
    // Already in order (common: inputs are often nearly sorted): one comparison, then copy.
    if r == 0 || cmp(left[l - 1], right[0]) != Ordering::Greater {
        out[..l].copy_from_slice(left);
        out[l..].copy_from_slice(right);
        return;
    }
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        if j < r && (i == l || cmp(left[i], right[j]) == Ordering::Greater) {
            *slot = right[j];
            j += 1;
        } else {
            *slot = left[i];
            i += 1;
        }
    }
}

/// Rearranges a slice through `swap` so that position `i` holds the element that was at
/// `perm[i]`, following each cycle of the permutation once. `perm` is used up (each visited
/// position is marked as fixed).
fn permute(perm: &mut [usize], swap: &mut dyn FnMut(usize, usize)) {
    for start in 0..perm.len() {
        let mut pos = start;
        while perm[pos] != pos {
            let next = perm[pos];
            perm[pos] = pos;
            if next == start {
                break;
            }
            swap(pos, next);
            pos = next;
        }
    }
}

#[cfg(test)]
// The tests compare with std's sorts, which clippy.toml keeps out of the library.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Lengths around the run size and its multiples, where the merge boundaries are.
    const LENGTHS: &[usize] = &[
        0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 127, 129, 1000, 5000,
    ];

    /// `(key, original position)` pairs: sorting by key alone must keep positions ascending
    /// among equal keys, exactly as std's stable sort does.
    fn keyed(rng: &mut Rng, n: usize, distinct: u64) -> Vec<(u64, usize)> {
        (0..n).map(|i| (rng.below(distinct), i)).collect()
    }

    #[test]
    fn empty_and_one_element() {
        let mut empty: Vec<u32> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
        let mut one = vec![7];
        sort_by(&mut one, |_, _| panic!("one element needs no comparison"));
        assert_eq!(one, [7]);
    }

    #[test]
    fn matches_std_stable_sort_on_random_and_duplicate_heavy_inputs() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for &n in LENGTHS {
            // From all-equal through few distinct keys to almost all distinct.
            for distinct in [1, 2, 3, 10, n as u64 + 1, u64::MAX] {
                let input = keyed(&mut rng, n, distinct);
                let mut expected = input.clone();
                expected.sort_by_key(|e| e.0);
                let mut by = input.clone();
                sort_by(&mut by, |a, b| a.0.cmp(&b.0));
                assert_eq!(by, expected, "sort_by n={n} distinct={distinct}");
                let mut by_key = input.clone();
                sort_by_key(&mut by_key, |e| e.0);
                assert_eq!(by_key, expected, "sort_by_key n={n} distinct={distinct}");
                let mut full = input.clone();
                sort(&mut full);
                assert_eq!(full, expected, "sort n={n} distinct={distinct}");
            }
        }
    }

    #[test]
    fn stable_on_presorted_reversed_and_sawtooth_inputs() {
        for &n in LENGTHS {
            let shapes: [Vec<u64>; 4] = [
                (0..n as u64).collect(),
                (0..n as u64).rev().collect(),
                (0..n as u64).map(|i| i % 5).collect(),
                (0..n as u64).map(|i| (n as u64 - i) / 3).collect(),
            ];
            for keys in shapes {
                let input: Vec<(u64, usize)> = keys.into_iter().zip(0..).collect();
                let mut expected = input.clone();
                expected.sort_by_key(|e| e.0);
                let mut got = input;
                sort_by(&mut got, |a, b| a.0.cmp(&b.0));
                assert_eq!(got, expected, "n={n}");
            }
        }
    }

    #[test]
    fn reversed_comparators_and_non_copy_elements() {
        let mut rng = Rng(42);
        let words: Vec<String> = (0..300).map(|_| format!("w{}", rng.below(40))).collect();
        let mut expected = words.clone();
        expected.sort_by(|a, b| b.cmp(a));
        let mut got = words;
        sort_by(&mut got, |a, b| b.cmp(a));
        assert_eq!(got, expected);
    }

    #[test]
    fn already_sorted_input_costs_n_minus_one_comparisons() {
        let mut v: Vec<u32> = (0..1000).collect();
        let mut count = 0;
        sort_by(&mut v, |a, b| {
            count += 1;
            a.cmp(b)
        });
        assert!(v.iter().copied().eq(0..1000));
        assert_eq!(count, 999);
    }

    #[test]
    fn at_most_n_log_n_comparisons() {
        let mut rng = Rng(7);
        let n = 5000;
        let mut v: Vec<u64> = (0..n).map(|_| rng.next()).collect();
        let mut count = 0usize;
        sort_by(&mut v, |a, b| {
            count += 1;
            a.cmp(b)
        });
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        // n * ceil(log2 n) is 65,000 for 5,000 elements.
        assert!(count <= 65_000, "{count} comparisons");
    }

    #[test]
    fn permute_follows_every_cycle() {
        let mut v = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        // Two cycles (0 2 4) and (1 5), and a fixed point 3.
        let mut perm = vec![2, 5, 4, 3, 0, 1];
        permute(&mut perm, &mut |a, b| v.swap(a, b));
        assert_eq!(v, ['c', 'f', 'e', 'd', 'a', 'b']);
    }
}
