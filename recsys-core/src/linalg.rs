//! Small dense kernels shared by the models, the recommender and the explanations (the lowest
//! layer: it depends on nothing else in the crate).

/// `a · b` with eight independent partial sums, so the compiler can vectorise it (a plain
/// iterator sum is one serial dependency chain).
#[inline(always)]
pub(crate) fn dot<T>(a: &[T], b: &[T]) -> T
where
    T: Copy + Default + std::ops::Add<Output = T> + std::ops::Mul<Output = T> + std::iter::Sum,
{
    let mut lanes = [T::default(); 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: T = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&x, &y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for lane in 0..8 {
            lanes[lane] = lanes[lane] + x[lane] * y[lane];
        }
    }
    lanes.iter().copied().sum::<T>() + tail
}

/// Euclidean norm `|a|` (a plain in-order sum: the one the cosine similarities and unit
/// factors of the crate share, so they agree bit for bit).
#[inline]
pub(crate) fn norm(a: &[f32]) -> f32 {
    a.iter().map(|v| v * v).sum::<f32>().sqrt()
}

/// [`dot`] of `f32` slices.
#[inline(always)]
pub(crate) fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
    dot(a, b)
}

/// `out[r] = rows[r] · vector` for the `k`-wide rows of a row-major matrix (AVX2 where
/// available).
pub(crate) fn dot_rows(rows: &[f32], k: usize, vector: &[f32], out: &mut [f32]) {
    pulp::Arch::new().dispatch(DotRows {
        rows,
        k,
        vector,
        out,
    })
}

struct DotRows<'a> {
    rows: &'a [f32],
    k: usize,
    vector: &'a [f32],
    out: &'a mut [f32],
}

impl pulp::WithSimd for DotRows<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        for (o, row) in self.out.iter_mut().zip(self.rows.chunks_exact(self.k)) {
            *o = dot_f32(row, self.vector);
        }
    }
}

/// [`dot`] of `f64` slices.
#[inline(always)]
pub(crate) fn dot_f64(a: &[f64], b: &[f64]) -> f64 {
    dot(a, b)
}

/// In-place lower Cholesky factor `L` of a symmetric positive definite row-major `k × k` matrix
/// (only the lower triangle is read; the strict upper one is left as is); `false` if the matrix
/// is not positive definite.
///
/// The one factorisation of the crate's normal equations: ALS fold-in, its explanations and the
/// exact half-sweep solver all call it, so they agree to the last bit.
#[inline(always)]
pub(crate) fn cholesky_factor(a: &mut [f64], k: usize) -> bool {
    for j in 0..k {
        let row_j = &a[j * k..j * k + j];
        let diagonal = a[j * k + j] - dot_f64(row_j, row_j);
        if !(diagonal > 0.0 && diagonal.is_finite()) {
            return false;
        }
        let pivot = diagonal.sqrt();
        a[j * k + j] = pivot;
        for i in j + 1..k {
            let (upper, lower) = a.split_at_mut(i * k);
            let dot = dot_f64(&lower[..j], &upper[j * k..j * k + j]);
            lower[j] = (lower[j] - dot) / pivot;
        }
    }
    true
}

/// `Lᵀ` of the factor of [`cholesky_factor`] into `upper` (row-major `k × k`), so that the
/// backward solve reads contiguous rows.
#[inline(always)]
pub(crate) fn cholesky_upper(lower: &[f64], upper: &mut Vec<f64>, k: usize) {
    upper.clear();
    upper.resize(k * k, 0.0);
    for i in 0..k {
        for p in 0..=i {
            upper[p * k + i] = lower[i * k + p];
        }
    }
}

/// Solves `L Lᵀ z = b` in place with the factor of [`cholesky_factor`] and its transpose from
/// [`cholesky_upper`].
#[inline(always)]
pub(crate) fn cholesky_solve(lower: &[f64], upper: &[f64], b: &mut [f64], k: usize) {
    for i in 0..k {
        let dot = dot_f64(&lower[i * k..i * k + i], &b[..i]);
        b[i] = (b[i] - dot) / lower[i * k + i];
    }
    for i in (0..k).rev() {
        let dot = dot_f64(&upper[i * k + i + 1..(i + 1) * k], &b[i + 1..]);
        b[i] = (b[i] - dot) / upper[i * k + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_small_spd_system() {
        // A = [[4, 2], [2, 3]], b = [2, 1] → z = [0.5, 0]
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 1.0];
        assert!(cholesky_factor(&mut a, 2));
        let mut upper = Vec::new();
        cholesky_upper(&a, &mut upper, 2);
        cholesky_solve(&a, &upper, &mut b, 2);
        assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12);
        let mut singular = vec![1.0, 1.0, 1.0, 1.0];
        assert!(!cholesky_factor(&mut singular, 2));
    }
}
