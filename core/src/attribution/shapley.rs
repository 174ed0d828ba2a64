//! Exact Shapley values over coalitions of sources.
//!
//! The game used for attribution ([`crate::attribution`](crate::guide::attribution)): `v(S)` is the number (or value)
//! of attributed events whose path's set of sources is a subset of `S`. `game_from_sets`
//! builds it (a subset-sum over bit masks) and `shapley_exact` evaluates
//! `φᵢ = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S))` over all `2ⁿ`
//! coalitions, for at most `MAX_SOURCES` players.

/// The most sources exact Shapley attribution accepts.
pub(crate) const MAX_SOURCES: usize = 15;

/// The characteristic function over `n` players: `v[S] = Σ weight` of the sets contained
/// in `S` (sets and coalitions as bit masks).
#[cfg(test)]
pub(crate) fn game_from_sets(n: usize, sets: &[(u32, f64)]) -> Vec<f64> {
    let mut v = vec![0.0f64; 1 << n];
    for &(mask, w) in sets {
        v[mask as usize] += w;
    }
    for bit in 0..n {
        for mask in 0..v.len() {
            if mask & (1 << bit) != 0 {
                v[mask] += v[mask ^ (1 << bit)];
            }
        }
    }
    v
}

/// Exact Shapley values of the game `v` (`v.len() == 2ⁿ`, `v[0]` the empty coalition).
///
/// # Panics
///
/// When `v.len()` is not `2ⁿ`.
#[cfg(test)]
pub(crate) fn shapley_exact(n: usize, v: &[f64]) -> Vec<f64> {
    assert_eq!(
        v.len(),
        1 << n,
        "a game over {n} players has 2^{n} coalitions"
    );
    // coef[k] = k! (n − k − 1)! / n!, built as a product to stay exact-ish and finite.
    let coef: Vec<f64> = (0..n)
        .map(|k| {
            let mut c = 1.0 / n as f64;
            // 1 / (n · C(n−1, k))
            let mut binom = 1.0f64;
            for j in 0..k {
                binom = binom * (n - 1 - j) as f64 / (j + 1) as f64;
            }
            c /= binom;
            c
        })
        .collect();
    let mut phi = vec![0.0f64; n];
    for mask in 0..v.len() {
        let k = (mask as u32).count_ones() as usize;
        if k == n {
            continue;
        }
        for (i, p) in phi.iter_mut().enumerate() {
            if mask & (1 << i) == 0 {
                *p += coef[k] * (v[mask | (1 << i)] - v[mask]);
            }
        }
    }
    phi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapley_by_hand() {
        // Three conversions over sources A (bit 0), B (bit 1), C (bit 2):
        // paths {A}, {A, B}, {B, C}.
        // v(∅)=0, v(A)=1, v(B)=0, v(C)=0, v(AB)=2, v(AC)=1, v(BC)=1, v(ABC)=3.
        // φ_A = 1/3·(v(A)−v(∅)) + 1/6·(v(AB)−v(B)) + 1/6·(v(AC)−v(C)) + 1/3·(v(ABC)−v(BC))
        //     = 1/3 + 2/6 + 1/6 + 2/3 = 1.5
        // φ_B = 1/3·0 + 1/6·(2−1) + 1/6·(1−0) + 1/3·(3−1) = 1/6 + 1/6 + 2/3 = 1
        // φ_C = 1/3·0 + 1/6·(1−1) + 1/6·(1−0) + 1/3·(3−2) = 1/6 + 1/3 = 0.5
        // Sum 3 = v(ABC). Equal split per path gives the same: A = 1 + 1/2, B = 1/2 + 1/2, C = 1/2.
        let v = game_from_sets(3, &[(0b001, 1.0), (0b011, 1.0), (0b110, 1.0)]);
        assert_eq!(v, vec![0.0, 1.0, 0.0, 2.0, 0.0, 1.0, 1.0, 3.0]);
        let phi = shapley_exact(3, &v);
        for (got, want) in phi.iter().zip([1.5, 1.0, 0.5]) {
            assert!((got - want).abs() < 1e-12, "{phi:?}");
        }
    }

    #[test]
    fn efficiency_at_the_limit() {
        // 15 players, one conversion per pair (i, i+1) and one over everyone.
        let n = MAX_SOURCES;
        let mut sets: Vec<(u32, f64)> = (0..n - 1).map(|i| ((0b11u32) << i, 2.0)).collect();
        sets.push(((1u32 << n) - 1, 15.0));
        let v = game_from_sets(n, &sets);
        let phi = shapley_exact(n, &v);
        let total: f64 = phi.iter().sum();
        assert!((total - v[(1 << n) - 1]).abs() < 1e-9);
        // Player 0 is in pair (0,1) only: 2/2 + 15/15 = 2.
        assert!((phi[0] - 2.0).abs() < 1e-9);
        // Player 7 is in pairs (6,7), (7,8): 1 + 1 + 1 = 3.
        assert!((phi[7] - 3.0).abs() < 1e-9);
    }
}
