//! Small dense f32 kernels for the ALS inner loops.
//!
//! They are written as fixed-width lane loops (`[f32; LANES]` accumulators over
//! `chunks_exact(LANES)`) so that LLVM turns them into SIMD code without `unsafe`, and they are
//! `#[inline(always)]` so that, called inside [`pulp::Arch::dispatch`], they are compiled with
//! the wider instruction set (AVX2 on x86-64) that `dispatch` enables at run time.
//!
//! Every reduction sums its lanes in one fixed order and no fused multiply-add is used, so the
//! results are bit-identical whichever instruction set the dispatcher picks.

/// Lanes per accumulator: two AVX2 registers, four SSE registers, one AVX-512 register.
pub(super) const LANES: usize = 16;

/// Sums the lanes pairwise in a fixed order.
#[inline(always)]
fn reduce(acc: [f32; LANES]) -> f32 {
    let mut half = [0.0f32; LANES / 2];
    for l in 0..LANES / 2 {
        half[l] = acc[l] + acc[l + LANES / 2];
    }
    let mut quarter = [0.0f32; LANES / 4];
    for l in 0..LANES / 4 {
        quarter[l] = half[l] + half[l + LANES / 4];
    }
    (quarter[0] + quarter[2]) + (quarter[1] + quarter[3])
}

/// `a · b` over the common length.
#[inline(always)]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; LANES];
    let a_chunks = a.chunks_exact(LANES);
    let b_chunks = b.chunks_exact(LANES);
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (ca, cb) in a_chunks.zip(b_chunks) {
        // Whole-chunk loads (as in `axpy`) keep this one vector multiply-add per register.
        let mut xs = [0.0f32; LANES];
        let mut ys = [0.0f32; LANES];
        xs.copy_from_slice(ca);
        ys.copy_from_slice(cb);
        for l in 0..LANES {
            acc[l] += xs[l] * ys[l];
        }
    }
    reduce(acc) + tail
}

/// `y += alpha · x`.
#[inline(always)]
pub(crate) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    let mut y_chunks = y.chunks_exact_mut(LANES);
    let mut x_chunks = x.chunks_exact(LANES);
    for (cy, cx) in (&mut y_chunks).zip(&mut x_chunks) {
        // Load both chunks before storing: the optimiser cannot prove `x` and `y` apart once
        // inlined, and would otherwise keep the loop scalar.
        let mut ys = [0.0f32; LANES];
        let mut xs = [0.0f32; LANES];
        ys.copy_from_slice(cy);
        xs.copy_from_slice(cx);
        for l in 0..LANES {
            ys[l] += alpha * xs[l];
        }
        cy.copy_from_slice(&ys);
    }
    for (vy, vx) in y_chunks
        .into_remainder()
        .iter_mut()
        .zip(x_chunks.remainder())
    {
        *vy += alpha * vx;
    }
}

/// `p = r + beta · p` (the conjugate-gradient direction update).
#[inline(always)]
pub(crate) fn xpby(r: &[f32], beta: f32, p: &mut [f32]) {
    let mut p_chunks = p.chunks_exact_mut(LANES);
    let mut r_chunks = r.chunks_exact(LANES);
    for (cp, cr) in (&mut p_chunks).zip(&mut r_chunks) {
        let mut ps = [0.0f32; LANES];
        let mut rs = [0.0f32; LANES];
        ps.copy_from_slice(cp);
        rs.copy_from_slice(cr);
        for l in 0..LANES {
            ps[l] = rs[l] + beta * ps[l];
        }
        cp.copy_from_slice(&ps);
    }
    for (vp, vr) in p_chunks
        .into_remainder()
        .iter_mut()
        .zip(r_chunks.remainder())
    {
        *vp = vr + beta * *vp;
    }
}

/// Rows of the fixed factors per group in [`add_weighted_projections`]: their dot products
/// share each load of `v`, and their updates share each load and store of `out`.
const GROUP: usize = 4;

/// Four dot products `y_r · v` at once (`v` loaded once per lane chunk).
#[inline(always)]
fn dot4(rows: [&[f32]; GROUP], v: &[f32]) -> [f32; GROUP] {
    let k = v.len();
    let mut acc = [[0.0f32; LANES]; GROUP];
    let whole = k - k % LANES;
    let mut start = 0;
    while start < whole {
        let mut vs = [0.0f32; LANES];
        vs.copy_from_slice(&v[start..start + LANES]);
        for (a, row) in acc.iter_mut().zip(rows) {
            let mut ys = [0.0f32; LANES];
            ys.copy_from_slice(&row[start..start + LANES]);
            for l in 0..LANES {
                a[l] += ys[l] * vs[l];
            }
        }
        start += LANES;
    }
    let mut out = [0.0f32; GROUP];
    for ((o, a), row) in out.iter_mut().zip(acc).zip(rows) {
        let tail: f32 = row[whole..k]
            .iter()
            .zip(&v[whole..])
            .map(|(y, x)| y * x)
            .sum();
        *o = reduce(a) + tail;
    }
    out
}

/// `out += Σ_r s_r · y_r` for four rows.
#[inline(always)]
fn axpy4(s: [f32; GROUP], rows: [&[f32]; GROUP], out: &mut [f32]) {
    let k = out.len();
    let whole = k - k % LANES;
    let mut start = 0;
    while start < whole {
        let mut os = [0.0f32; LANES];
        os.copy_from_slice(&out[start..start + LANES]);
        let mut ys = [[0.0f32; LANES]; GROUP];
        for (y, row) in ys.iter_mut().zip(rows) {
            y.copy_from_slice(&row[start..start + LANES]);
        }
        for l in 0..LANES {
            os[l] += (s[0] * ys[0][l] + s[1] * ys[1][l]) + (s[2] * ys[2][l] + s[3] * ys[3][l]);
        }
        out[start..start + LANES].copy_from_slice(&os);
        start += LANES;
    }
    for c in whole..k {
        out[c] += (s[0] * rows[0][c] + s[1] * rows[1][c]) + (s[2] * rows[2][c] + s[3] * rows[3][c]);
    }
}

/// `out += Σ_j scale · w_j · (y_j · v) · y_j` over the rows `y_j` of the row-major block `rows`
/// (`v.len()` columns, one weight per row): `out += scale · Yᵀ W Y v` without forming `YᵀWY`.
///
/// Rows go [`GROUP`] at a time (a blocked `Y v`, then a blocked `Yᵀ (w ∘ Y v)` while those rows
/// are still in L1), so the lane loops keep `v` and `out` loads shared and the horizontal sums
/// are independent of each other. The grouping depends only on the row count, so a row block
/// always gives the same bits.
#[inline(always)]
pub(super) fn add_weighted_projections(
    rows: &[f32],
    weights: &[f32],
    scale: f32,
    v: &[f32],
    out: &mut [f32],
) {
    let k = v.len();
    if k == 0 {
        return;
    }
    let mut groups = rows.chunks_exact(GROUP * k);
    let mut group_weights = weights.chunks_exact(GROUP);
    for (block, w) in (&mut groups).zip(&mut group_weights) {
        let (y0, rest) = block.split_at(k);
        let (y1, rest) = rest.split_at(k);
        let (y2, y3) = rest.split_at(k);
        let ys = [y0, y1, y2, y3];
        let d = dot4(ys, v);
        let s = [
            scale * w[0] * d[0],
            scale * w[1] * d[1],
            scale * w[2] * d[2],
            scale * w[3] * d[3],
        ];
        axpy4(s, ys, out);
    }
    for (y, &w) in groups
        .remainder()
        .chunks_exact(k)
        .zip(group_weights.remainder())
    {
        axpy(scale * w * dot(y, v), y, out);
    }
}

/// `out = G · v` for a row-major `k × k` matrix `G` (`k = v.len()`; `G` symmetric, so rows
/// serve as columns).
///
/// Columns are done `2·LANES` at a time with the partial sums held in locals (registers), and
/// each row of `G` contributes `v_j · G[j, cols]`: no horizontal sums, one pass over `G` per
/// column block.
#[inline(always)]
pub(super) fn sym_matvec(gram: &[f32], v: &[f32], out: &mut [f32]) {
    let k = v.len();
    let mut start = 0;
    while start + 2 * LANES <= k {
        let mut low = [0.0f32; LANES];
        let mut high = [0.0f32; LANES];
        for (row, &vj) in gram.chunks_exact(k).zip(v) {
            let segment = &row[start..start + 2 * LANES];
            for l in 0..LANES {
                low[l] += vj * segment[l];
                high[l] += vj * segment[LANES + l];
            }
        }
        out[start..start + LANES].copy_from_slice(&low);
        out[start + LANES..start + 2 * LANES].copy_from_slice(&high);
        start += 2 * LANES;
    }
    for (c, o) in out.iter_mut().enumerate().skip(start) {
        *o = gram
            .chunks_exact(k)
            .zip(v)
            .map(|(row, &vj)| vj * row[c])
            .sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn kernels_match_naive_loops(
            a in proptest::collection::vec(-4.0f32..4.0, 0..70),
            alpha in -2.0f32..2.0,
        ) {
            let b: Vec<f32> = a.iter().map(|x| x * 0.5 - 1.0).collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
            prop_assert!((f64::from(dot(&a, &b)) - naive).abs() < 1e-3 * (1.0 + naive.abs()));

            let mut y = b.clone();
            axpy(alpha, &a, &mut y);
            for ((got, x), y0) in y.iter().zip(&a).zip(&b) {
                prop_assert!((got - (y0 + alpha * x)).abs() < 1e-5);
            }
            let mut p = b.clone();
            xpby(&a, alpha, &mut p);
            for ((got, r), p0) in p.iter().zip(&a).zip(&b) {
                prop_assert!((got - (r + alpha * p0)).abs() < 1e-5);
            }
        }
    }

    proptest! {
        #[test]
        fn weighted_projections_match_naive_loops(
            k in 1usize..40,
            n in 0usize..11,
            seed in 0u64..1000,
            scale in prop_oneof![Just(1.0f32), Just(-1.0f32), -2.0f32..2.0],
        ) {
            let value = |i: usize| (((i as u64 * 2654435761 + seed * 97) % 1000) as f32) / 250.0 - 2.0;
            let rows: Vec<f32> = (0..n * k).map(value).collect();
            let weights: Vec<f32> = (0..n).map(|j| value(j + 7919) + 2.5).collect();
            let v: Vec<f32> = (0..k).map(|i| value(i + 104729)).collect();
            let start: Vec<f32> = (0..k).map(|i| value(i + 1299709)).collect();
            let mut out = start.clone();
            add_weighted_projections(&rows, &weights, scale, &v, &mut out);
            for c in 0..k {
                let mut expected = f64::from(start[c]);
                for j in 0..n {
                    let y = &rows[j * k..(j + 1) * k];
                    let d: f64 = y.iter().zip(&v).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum();
                    expected += f64::from(scale) * f64::from(weights[j]) * d * f64::from(y[c]);
                }
                prop_assert!(
                    (f64::from(out[c]) - expected).abs() < 1e-3 * (1.0 + expected.abs()),
                    "column {c}: {} vs {expected}", out[c]
                );
            }
        }
    }

    #[test]
    fn sym_matvec_matches_definition() {
        let k = 19;
        let gram: Vec<f32> = (0..k * k)
            .map(|idx| {
                let (i, j) = (idx / k, idx % k);
                ((i + j) % 7) as f32 - 3.0
            })
            .collect();
        let v: Vec<f32> = (0..k).map(|i| i as f32 * 0.25 - 2.0).collect();
        let mut out = vec![0.0; k];
        sym_matvec(&gram, &v, &mut out);
        for i in 0..k {
            let expected: f32 = (0..k).map(|j| gram[i * k + j] * v[j]).sum();
            assert!((out[i] - expected).abs() < 1e-4);
        }
    }
}
