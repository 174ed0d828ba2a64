#![doc = include_str!("../guide/attribution/markov.md")]

/// The solved chain.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MarkovResult {
    /// Probability of conversion from `start`.
    pub(crate) conversion_probability: f64,
    /// Removal effect per source (index = source id), each in `[0, 1]`.
    pub(crate) removal_effects: Vec<f64>,
}

/// Solve the chain over `n` sources (ids `0..n`) for `paths`: (source ids in order,
/// converted).
#[allow(clippy::many_single_char_names)] // the textbook names: n, Q, r, x, P
pub(crate) fn removal_effects(n: usize, paths: &[(Vec<usize>, bool)]) -> MarkovResult {
    let size = n + 1; // state 0 = start, state s + 1 = source s
    let mut counts = vec![0.0f64; size * size];
    let mut conv = vec![0.0f64; size];
    let mut null = vec![0.0f64; size];
    for (path, converted) in paths {
        let mut prev = 0usize;
        for &s in path {
            if s >= n {
                continue;
            }
            counts[prev * size + s + 1] += 1.0;
            prev = s + 1;
        }
        if *converted {
            conv[prev] += 1.0;
        } else {
            null[prev] += 1.0;
        }
    }
    let zero = MarkovResult {
        conversion_probability: 0.0,
        removal_effects: vec![0.0; n],
    };
    // A = I − Q, and r.
    let mut a = vec![0.0f64; size * size];
    let mut r = vec![0.0f64; size];
    for i in 0..size {
        let total: f64 = counts[i * size..(i + 1) * size].iter().sum::<f64>() + conv[i] + null[i];
        a[i * size + i] = 1.0;
        if total > 0.0 {
            for j in 0..size {
                a[i * size + j] -= counts[i * size + j] / total;
            }
            r[i] = conv[i] / total;
        }
    }
    let Some(inv) = invert(&a, size) else {
        return zero;
    };
    let x: Vec<f64> = (0..size)
        .map(|i| (0..size).map(|j| inv[i * size + j] * r[j]).sum::<f64>())
        .collect();
    let p = x[0];
    if !(p.is_finite() && p > 1e-15) {
        return zero;
    }
    let removal_effects = (0..n)
        .map(|s| {
            let k = s + 1;
            let diag = inv[k * size + k];
            if !(diag.is_finite() && diag > 1e-15) {
                return 0.0;
            }
            let visit = (inv[k] / diag).clamp(0.0, 1.0);
            let re = visit * x[k] / p;
            if re.is_finite() {
                re.clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect();
    MarkovResult {
        conversion_probability: p.clamp(0.0, 1.0),
        removal_effects,
    }
}

/// Invert the `size × size` row-major matrix `a` by Gauss–Jordan elimination with partial
/// pivoting; `None` when a pivot is below 1e-12 (numerically singular).
#[allow(clippy::many_single_char_names)]
fn invert(a: &[f64], size: usize) -> Option<Vec<f64>> {
    let w = 2 * size;
    let mut m = vec![0.0f64; size * w];
    for i in 0..size {
        m[i * w..i * w + size].copy_from_slice(&a[i * size..(i + 1) * size]);
        m[i * w + size + i] = 1.0;
    }
    for col in 0..size {
        let pivot =
            (col..size).max_by(|x, y| m[x * w + col].abs().total_cmp(&m[y * w + col].abs()))?;
        if m[pivot * w + col].abs() < 1e-12 {
            return None;
        }
        if pivot != col {
            for j in 0..w {
                m.swap(pivot * w + j, col * w + j);
            }
        }
        let d = m[col * w + col];
        for j in 0..w {
            m[col * w + j] /= d;
        }
        for row in 0..size {
            if row == col {
                continue;
            }
            let f = m[row * w + col];
            if f != 0.0 {
                for j in 0..w {
                    m[row * w + j] -= f * m[col * w + j];
                }
            }
        }
    }
    let mut inv = vec![0.0f64; size * size];
    for i in 0..size {
        inv[i * size..(i + 1) * size].copy_from_slice(&m[i * w + size..(i + 1) * w]);
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn removal_effects_by_hand() {
        // Paths (A = 0, B = 1): A → conv, A → B → conv, B → null.
        // Transitions: start→A 2/3, start→B 1/3; A→B 1/2, A→conv 1/2; B→conv 1/2, B→null 1/2.
        // x_B = 1/2; x_A = 1/2 + 1/2 · 1/2 = 3/4; P = 2/3 · 3/4 + 1/3 · 1/2 = 2/3.
        // Without A: start→A goes to null, P = 1/3 · 1/2 = 1/6, RE_A = (2/3 − 1/6) / (2/3) = 3/4.
        // Without B: x_A = 1/2, P = 2/3 · 1/2 = 1/3, RE_B = (2/3 − 1/3) / (2/3) = 1/2.
        let r = removal_effects(2, &[(vec![0], true), (vec![0, 1], true), (vec![1], false)]);
        assert!(close(r.conversion_probability, 2.0 / 3.0), "{r:?}");
        assert!(close(r.removal_effects[0], 0.75), "{r:?}");
        assert!(close(r.removal_effects[1], 0.5), "{r:?}");
    }

    #[test]
    fn cycles_are_solved_exactly() {
        // Paths: A → B → A → conv, and B → null.
        // start→A 1/2, start→B 1/2; A→B 1/2, A→conv 1/2; B→A 1/2, B→null 1/2.
        // x_A = 1/2 + 1/2 x_B, x_B = 1/2 x_A  ⇒  x_A = 2/3, x_B = 1/3; P = 1/2 (2/3 + 1/3) = 1/2.
        // Without A: only B→null remains reachable to absorb: P = 0, RE_A = 1.
        // Without B: x_A = 1/2, P = 1/2 · 1/2 = 1/4, RE_B = (1/2 − 1/4) / (1/2) = 1/2.
        let r = removal_effects(2, &[(vec![0, 1, 0], true), (vec![1], false)]);
        assert!(close(r.conversion_probability, 0.5), "{r:?}");
        assert!(close(r.removal_effects[0], 1.0), "{r:?}");
        assert!(close(r.removal_effects[1], 0.5), "{r:?}");
    }

    #[test]
    fn degenerate_cases_are_finite() {
        // No conversions at all.
        let r = removal_effects(2, &[(vec![0, 1], false)]);
        assert_eq!(r.removal_effects, vec![0.0, 0.0]);
        // No paths; a source never seen.
        let r = removal_effects(3, &[]);
        assert_eq!(r.removal_effects, vec![0.0; 3]);
        let r = removal_effects(3, &[(vec![1], true)]);
        assert_eq!(r.removal_effects, vec![0.0, 1.0, 0.0]);
        // A self-loop heavy source.
        let r = removal_effects(1, &[(vec![0; 50], true)]);
        assert!(close(r.removal_effects[0], 1.0));
        assert!(r.removal_effects.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn the_conversion_probability_is_the_share_of_converting_paths() {
        // The frequencies are those of the paths themselves, so the chain's flow is the
        // paths': start is left N times (once per path, never entered), every other
        // state is left as often as it is entered, and the expected number of times a
        // transition is taken from N starts is its count (the counts solve the visit
        // equations v = N e_start + Qᵀ v, whose solution is unique when I − Q inverts).
        // Absorptions in `conversion` then number the converting paths: P = c / N, with
        // cycles, self-loops and re-entries alike.
        // Here N = 5 and c = 2 (the empty path goes start → conversion; source 5 is not
        // among the 3 and is skipped, so [5, 2] is [2]): P = 2/5.
        let r = removal_effects(
            3,
            &[
                (vec![0, 1, 0, 2], true),
                (vec![2, 1], false),
                (vec![1, 1, 2, 0], false),
                (vec![], true),
                (vec![5, 2], false),
            ],
        );
        assert!(close(r.conversion_probability, 2.0 / 5.0), "{r:?}");
    }

    #[test]
    fn a_larger_pivot_below_the_diagonal_is_swapped_up() {
        // Paths (A = 0, B = 1): B → A → A → null, B → conv, A → A → A → conv.
        // start→A 1/3, start→B 2/3; B→A 1/2, B→conv 1/2; A→A 3/5, A→conv 1/5, A→null 1/5.
        // In I − Q (rows start, A, B) column A has 1 − 3/5 = 2/5 on the diagonal and
        // −1/2 in B's row, so elimination swaps B's row up (partial pivoting).
        // x_A = (1/5) / (1 − 3/5) = 1/2; x_B = 1/2 + 1/2 · 1/2 = 3/4;
        // P = 1/3 · 1/2 + 2/3 · 3/4 = 2/3.
        // Without A: P = 2/3 · 1/2 = 1/3, RE_A = (2/3 − 1/3) / (2/3) = 1/2.
        // Without B: P = 1/3 · 1/2 = 1/6, RE_B = (2/3 − 1/6) / (2/3) = 3/4.
        let r = removal_effects(
            2,
            &[
                (vec![1, 0, 0], false),
                (vec![1], true),
                (vec![0, 0, 0], true),
            ],
        );
        assert!(close(r.conversion_probability, 2.0 / 3.0), "{r:?}");
        assert!(close(r.removal_effects[0], 0.5), "{r:?}");
        assert!(close(r.removal_effects[1], 0.75), "{r:?}");
    }

    #[test]
    fn invert_by_hand() {
        // A permutation-and-scale matrix: rows (0 2 0), (1 0 0), (0 0 4). Its inverse maps
        // back: (0 1 0), (1/2 0 0), (0 0 1/4). Column 0's pivot is in row 1 (a swap).
        let a = [0.0, 2.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 4.0];
        let inv = invert(&a, 3).unwrap();
        assert_eq!(inv, vec![0.0, 1.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.25]);
        // A full 2 × 2: (2 1), (1 1) has determinant 1 and inverse (1 −1), (−1 2).
        let inv = invert(&[2.0, 1.0, 1.0, 1.0], 2).unwrap();
        assert!(
            inv.iter()
                .zip([1.0, -1.0, -1.0, 2.0])
                .all(|(g, w)| close(*g, w)),
            "{inv:?}"
        );
        // Singular: (1 2), (2 4) (the second row twice the first), and all zeros.
        assert_eq!(invert(&[1.0, 2.0, 2.0, 4.0], 2), None);
        assert_eq!(invert(&[0.0; 4], 2), None);
        // A pivot of exactly 1e-12 is not below the limit: 1 × 1 (1e-12) inverts to 1e12.
        let inv = invert(&[1e-12], 1).unwrap();
        assert!((inv[0] - 1e12).abs() < 1.0, "{inv:?}");
    }
}
