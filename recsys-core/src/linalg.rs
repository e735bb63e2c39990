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
