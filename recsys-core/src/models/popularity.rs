//! Popularity baseline: recommend what most users interacted with.

use serde::{Deserialize, Serialize};

use super::{History, ItemScorer};
use crate::data::Interactions;
use crate::{Error, Result};

/// How an item's popularity is counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PopularityWeighting {
    /// Number of users with positive evidence for the item (default).
    #[default]
    Count,
    /// Sum of the positive confidences (e.g. ratings under the default feedback policy).
    Weighted,
}

/// Hyper-parameters of [`PopularityModel`].
///
/// ```
/// use recsys_core::data::Interactions;
/// use recsys_core::models::popularity::PopularityConfig;
/// use recsys_core::models::{recommend, History, TopN};
///
/// let m = Interactions::from_triplets(3, 3, &[(0, 1, 5.0), (1, 1, 3.0), (2, 2, 4.0)]).unwrap();
/// let model = PopularityConfig::new().fit(&m).unwrap();
/// let recs = recommend(&model, None, History::default(), &TopN::new(2)).unwrap();
/// assert_eq!(recs.iter().map(|s| s.item).collect::<Vec<_>>(), vec![1, 2]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PopularityConfig {
    weighting: PopularityWeighting,
}

impl PopularityConfig {
    /// Defaults: [`PopularityWeighting::Count`].
    pub fn new() -> Self {
        Self::default()
    }

    /// How popularity is counted.
    pub fn weighting(mut self, weighting: PopularityWeighting) -> Self {
        self.weighting = weighting;
        self
    }

    /// Always valid; kept for the builder → validate → fit pattern shared by all models.
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// Counts each item's positive interactions. Negative evidence does not count.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for a matrix without items.
    pub fn fit(&self, interactions: &Interactions) -> Result<PopularityModel> {
        self.validate()?;
        if interactions.n_items() == 0 {
            return Err(Error::EmptyInput {
                what: "interaction matrix has no items".into(),
            });
        }
        let mut scores = vec![0.0f32; interactions.n_items()];
        for (&item, &value) in interactions.indices().iter().zip(interactions.data()) {
            if value > 0.0 {
                scores[item as usize] += match self.weighting {
                    PopularityWeighting::Count => 1.0,
                    PopularityWeighting::Weighted => value,
                };
            }
        }
        Ok(PopularityModel {
            config: self.clone(),
            scores,
        })
    }
}

/// Item popularity scores, the same for every user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PopularityModelUnchecked")]
pub struct PopularityModel {
    config: PopularityConfig,
    scores: Vec<f32>,
}

crate::validate::checked_deserialize! {
    PopularityModel via PopularityModelUnchecked {
        config: PopularityConfig,
        scores: Vec<f32>,
    }
    check PopularityModel::validate
}

impl PopularityModel {
    /// Checks a decoded model: finite scores.
    pub(crate) fn validate(&self) -> crate::Result<()> {
        crate::validate::check_finite("popularity scores", &self.scores)
    }

    /// The configuration the model was fitted with.
    pub fn config(&self) -> &PopularityConfig {
        &self.config
    }

    /// Popularity of every item.
    pub fn scores(&self) -> &[f32] {
        &self.scores
    }
}

impl ItemScorer for PopularityModel {
    fn n_items(&self) -> usize {
        self.scores.len()
    }

    fn score_items(
        &self,
        _user: Option<u32>,
        _history: History<'_>,
        scores: &mut [f32],
    ) -> Result<()> {
        super::check_score_len(scores, self.scores.len())?;
        scores.copy_from_slice(&self.scores);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_positive_evidence_only() {
        let m = Interactions::from_triplets(
            3,
            3,
            &[
                (0, 0, 5.0),
                (1, 0, -2.0),
                (2, 0, -1.0),
                (0, 2, 1.0),
                (1, 2, 1.0),
            ],
        )
        .unwrap();
        let count = PopularityConfig::new().fit(&m).unwrap();
        assert_eq!(count.scores(), &[1.0, 0.0, 2.0]);
        let weighted = PopularityConfig::new()
            .weighting(PopularityWeighting::Weighted)
            .fit(&m)
            .unwrap();
        assert_eq!(weighted.scores(), &[5.0, 0.0, 2.0]);
        let mut wrong = vec![0.0; 2];
        assert!(count
            .score_items(None, History::default(), &mut wrong)
            .is_err());
        assert!(PopularityConfig::new()
            .fit(&Interactions::empty(2, 0).unwrap())
            .is_err());
    }
}
