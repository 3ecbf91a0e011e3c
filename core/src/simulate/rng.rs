//! A small seeded random source (SplitMix64), so that one seed always gives the same walk, on
//! every platform and in the browser, with no dependency.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift: unbiased enough for weights far below 2^32.
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// True with probability `numerator / denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        if numerator >= denominator {
            return true;
        }
        if numerator == 0 {
            return false;
        }
        self.below(denominator) < numerator
    }

    /// Index picked with probability proportional to its weight; None when all weights are 0.
    pub fn weighted(&mut self, weights: &[u64]) -> Option<usize> {
        let total: u64 = weights.iter().sum();
        if total == 0 {
            return None;
        }
        let mut draw = if total <= u32::MAX as u64 {
            self.below(total)
        } else {
            self.next_u64() % total
        };
        for (i, w) in weights.iter().enumerate() {
            if draw < *w {
                return Some(i);
            }
            draw -= w;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_draws() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new(7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn weighted_draw_follows_weights() {
        let mut rng = Rng::new(1);
        let mut counts = [0usize; 2];
        for _ in 0..10_000 {
            counts[rng.weighted(&[80, 20]).unwrap()] += 1;
        }
        assert!((7_700..8_300).contains(&counts[0]), "{counts:?}");
        assert_eq!(rng.weighted(&[0, 0]), None);
        assert_eq!(rng.weighted(&[0, 5]), Some(1));
    }
}
