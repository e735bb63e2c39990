//! Item cold start: collaborative factors for items nobody has interacted with yet.
//!
//! ALS learns nothing about such an item (its factor row stays zero), so it could only ever be
//! placed by content. Instead it gets the similarity-weighted mean of the ALS factors of its
//! warm content neighbours, shrunk towards zero while the evidence is thin:
//! `ŷ_i = Σ_j s_ij · y_j / (Σ_j s_ij + shrinkage)`. Its collaborative score `x_uᵀ ŷ_i` then
//! sits on the same scale as the warm items' scores, and the fold-in's exact decomposition still
//! applies (`models::als::FoldIn::contributions_of`), so its reasons stay faithful.

use crate::features::ContentNeighbors;
use crate::models::als::AlsModel;
use crate::Result;

/// Warm content neighbours a cold item's factors are estimated from (the mean of many more
/// drifts towards the mean item, i.e. towards popularity).
const COLD_ITEM_NEIGHBORS: usize = 20;

/// Estimated ALS factors of the cold items.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ColdFactors {
    /// Cold items with at least one warm content neighbour, ascending.
    items: Vec<u32>,
    /// Their estimated factors, row-major `items.len() × k`.
    factors: Vec<f32>,
}

impl ColdFactors {
    /// Estimates the factors of every item with `interaction_counts[i] == 0` from its warm
    /// content neighbours (items without any stay unknown).
    pub(crate) fn estimate(
        als: &AlsModel,
        neighbors: &ContentNeighbors,
        interaction_counts: &[u32],
        shrinkage: f32,
    ) -> Result<Self> {
        let k = als.factors();
        let mut out = Self::default();
        let mut sum = vec![0.0f64; k];
        for (item, _) in interaction_counts
            .iter()
            .enumerate()
            .filter(|&(_, &count)| count == 0)
        {
            let (similar, similarities) = neighbors.neighbors(item as u32)?;
            sum.iter_mut().for_each(|s| *s = 0.0);
            let mut weight = 0.0f64;
            let warm_neighbors = similar.iter().zip(similarities).filter(|&(&j, &s)| {
                s > 0.0 && interaction_counts.get(j as usize).is_some_and(|&c| c > 0)
            });
            for (&j, &s) in warm_neighbors.take(COLD_ITEM_NEIGHBORS) {
                let y = als.item_vector(j)?;
                sum.iter_mut()
                    .zip(y)
                    .for_each(|(t, &v)| *t += f64::from(s) * f64::from(v));
                weight += f64::from(s);
            }
            if weight == 0.0 {
                continue;
            }
            let scale = 1.0 / (weight + f64::from(shrinkage));
            out.items.push(item as u32);
            out.factors.extend(sum.iter().map(|&v| (v * scale) as f32));
        }
        Ok(out)
    }

    /// Number of cold items with estimated factors.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The estimated factors of `item`, if it is a cold item with some.
    pub(crate) fn vector(&self, item: u32, k: usize) -> Option<&[f32]> {
        let position = self.items.binary_search(&item).ok()?;
        self.factors.get(position * k..(position + 1) * k)
    }

    /// `(item, ŷ_item)` for every cold item with estimated factors.
    pub(crate) fn iter(&self, k: usize) -> impl Iterator<Item = (u32, &[f32])> {
        self.items
            .iter()
            .copied()
            .zip(self.factors.chunks_exact(k.max(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Catalog, Interactions};
    use crate::features::{ContentFeaturesConfig, ContentNeighborsConfig};
    use crate::models::als::AlsConfig;

    /// Items 0–3 are dramas or comedies with interactions; item 4 is a drama nobody has seen,
    /// item 5 has no metadata at all.
    fn fixture() -> (AlsModel, ContentNeighbors, Vec<u32>) {
        let triplets = [
            (0, 0, 1.0),
            (0, 1, 1.0),
            (1, 2, 1.0),
            (1, 3, 1.0),
            (2, 0, 1.0),
        ];
        let matrix = Interactions::from_triplets(3, 6, &triplets).expect("matrix");
        let als = AlsConfig::new()
            .factors(4)
            .regularization(0.1)
            .iterations(5)
            .fit(&matrix)
            .expect("ALS fits");
        let mut catalog = Catalog::new();
        for (item, genre) in ["Drama", "Drama", "Comedy", "Comedy", "Drama"]
            .into_iter()
            .enumerate()
        {
            catalog.item_mut(item as u32).unwrap().add_genre(genre);
        }
        let features = ContentFeaturesConfig::new()
            .min_df(1)
            .max_df(1.0)
            .fit_items(&catalog, 6)
            .expect("features");
        let neighbors = ContentNeighborsConfig::new()
            .fit(&features)
            .expect("neighbours");
        (als, neighbors, matrix.item_counts())
    }

    #[test]
    fn a_cold_item_takes_its_warm_neighbours_mean_direction() {
        let (als, neighbors, counts) = fixture();
        let cold = ColdFactors::estimate(&als, &neighbors, &counts, 0.0).expect("estimate");
        assert_eq!(
            cold.len(),
            1,
            "item 5 has no neighbours, only item 4 is estimated"
        );
        let k = als.factors();
        let estimated = cold.vector(4, k).expect("item 4 estimated");
        let (y0, y1) = (als.item_vector(0).unwrap(), als.item_vector(1).unwrap());
        for a in 0..k {
            assert!((estimated[a] - (y0[a] + y1[a]) / 2.0).abs() < 1e-5);
        }
        assert!(cold.vector(5, k).is_none() && cold.vector(0, k).is_none());

        let shrunk = ColdFactors::estimate(&als, &neighbors, &counts, 2.0).expect("estimate");
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!(norm(shrunk.vector(4, k).unwrap()) < norm(estimated));
    }
}
