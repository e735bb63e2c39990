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
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
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
pub(super) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
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
pub(super) fn xpby(r: &[f32], beta: f32, p: &mut [f32]) {
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
