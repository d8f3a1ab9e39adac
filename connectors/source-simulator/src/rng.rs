//! The simulator's random numbers: SplitMix64, seeded per loan.
//!
//! SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014) is
//! a 64-bit counter passed through a mixing function: a few integer operations, no tables, and the
//! same sequence on every machine. Each loan gets its own generator from `(seed, loan number)`,
//! so any loan can be generated without generating the others. Probabilities are integers per
//! mille: there is no floating point anywhere.

/// The golden-ratio increment of SplitMix64.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's finalizer (Stafford's "Mix13").
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic random sequence.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The generator of one loan of a book: a function of the seed and the loan number only.
    pub fn for_loan(seed: u64, loan: u32) -> Self {
        Rng(mix(seed ^ mix(u64::from(loan).wrapping_mul(GAMMA) ^ 0x5EED_5EED_5EED_5EED)))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        mix(self.0)
    }

    /// A number in `0..n` (0 when `n` is 0), by Lemire's multiply-shift.
    pub fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    /// A number in `lo..=hi` (`lo` when `hi <= lo`).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo).saturating_add(1);
        let offset = self.below(span);
        lo.saturating_add_unsigned(offset)
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u16) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// An index into `weights`, each picked with probability proportional to its weight
    /// (the first when every weight is zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut pick = self.below(total);
        for (index, weight) in weights.iter().enumerate() {
            let weight = u64::from(*weight);
            if pick < weight {
                return index;
            }
            pick -= weight;
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_is_pinned() {
        // Changing these numbers changes every simulated book: do it on purpose only.
        let mut rng = Rng::for_loan(42, 1);
        let first: Vec<u64> = (0..6).map(|_| rng.below(1000)).collect();
        assert_eq!(first, [987, 109, 456, 304, 898, 398]);
        let mut again = Rng::for_loan(42, 1);
        assert_eq!((0..6).map(|_| again.below(1000)).collect::<Vec<_>>(), first);
        assert_ne!(Rng::for_loan(42, 2).next_u64(), Rng::for_loan(42, 1).next_u64());
        assert_ne!(Rng::for_loan(43, 1).next_u64(), Rng::for_loan(42, 1).next_u64());
    }

    #[test]
    fn ranges_hold() {
        let mut rng = Rng::for_loan(7, 7);
        for _ in 0..10_000 {
            let x = rng.between(-3, 5);
            assert!((-3..=5).contains(&x));
            assert!(rng.below(10) < 10);
        }
        assert_eq!(rng.between(4, 4), 4);
        assert_eq!(rng.below(0), 0);
        let hits = (0..10_000).filter(|_| rng.chance(250)).count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
        assert_eq!(rng.weighted(&[0, 5, 0]), 1);
    }
}
