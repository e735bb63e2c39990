//! The stages of [`RecommenderBuilder::fit`](super::RecommenderBuilder::fit), reported to a
//! progress callback by [`RecommenderBuilder::fit_with_progress`](super::RecommenderBuilder::fit_with_progress).

use serde::{Deserialize, Serialize};

/// One stage of training a [`Recommender`](super::Recommender), in the order they run.
///
/// ```
/// use recsys_core::recommender::FitStage;
///
/// assert_eq!(FitStage::Als.name(), "als");
/// assert_eq!(FitStage::Als.to_string(), "als");
/// assert!(FitStage::ALL.windows(2).all(|w| w[0] < w[1]));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FitStage {
    /// The feedback policy turns the dataset's events into the interaction matrix.
    Interactions,
    /// The ALS factorisation (its iterations are also reported by
    /// [`AlsConfig::on_iteration`](crate::models::als::AlsConfig::on_iteration)).
    Als,
    /// Item-kNN similarities (skipped without an item-kNN config).
    ItemKnn,
    /// The EASE weights (skipped without an EASE config).
    Ease,
    /// Content features (TF-IDF of genres, tags, people; embeddings), the content neighbours
    /// of the similar-item lists and the content profile model.
    Content,
    /// Popularity and trending scores.
    Trending,
    /// The explicit rating model (skipped without numeric ratings or a rating config).
    Ratings,
    /// How often each item appears in the training users' lists (long-tail re-ranking).
    Exposure,
    /// Derived values (fold-in Gram matrix, cold-item factors, fingerprint) and the checks a
    /// load runs.
    Finish,
}

impl FitStage {
    /// Every stage, in the order they run.
    pub const ALL: [FitStage; 9] = [
        FitStage::Interactions,
        FitStage::Als,
        FitStage::ItemKnn,
        FitStage::Ease,
        FitStage::Content,
        FitStage::Trending,
        FitStage::Ratings,
        FitStage::Exposure,
        FitStage::Finish,
    ];

    /// The stage's snake_case name (as serialised): `"interactions"`, `"als"`,
    /// `"item_knn"`, `"ease"`, `"content"`, `"trending"`, `"ratings"`, `"exposure"`,
    /// `"finish"`.
    pub fn name(self) -> &'static str {
        match self {
            FitStage::Interactions => "interactions",
            FitStage::Als => "als",
            FitStage::ItemKnn => "item_knn",
            FitStage::Ease => "ease",
            FitStage::Content => "content",
            FitStage::Trending => "trending",
            FitStage::Ratings => "ratings",
            FitStage::Exposure => "exposure",
            FitStage::Finish => "finish",
        }
    }
}

impl std::fmt::Display for FitStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`RecommenderBuilder::fit_with_progress`](super::RecommenderBuilder::fit_with_progress)
/// reports after each stage: the stage that just finished, how many stages have finished
/// (1-based) and how many this fit runs (skipped stages are not counted).
///
/// ```
/// use recsys_core::recommender::{FitProgress, FitStage};
///
/// let p = FitProgress { stage: FitStage::Content, done: 3, total: 7 };
/// assert!(!p.is_last());
/// assert!(FitProgress { stage: FitStage::Finish, done: 7, total: 7 }.is_last());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitProgress {
    /// The stage that just finished.
    pub stage: FitStage,
    /// Stages finished so far, this one included (1-based).
    pub done: usize,
    /// Stages this fit runs.
    pub total: usize,
}

impl FitProgress {
    /// Whether this is the last report of the fit.
    pub fn is_last(&self) -> bool {
        self.done >= self.total
    }
}

/// Counts the stages of one fit and reports each as it finishes.
pub(super) struct StageReporter<'a> {
    callback: &'a mut (dyn FnMut(FitProgress) + Send),
    done: usize,
    total: usize,
}

impl<'a> StageReporter<'a> {
    /// A reporter for a fit that runs `total` stages.
    pub(super) fn new(callback: &'a mut (dyn FnMut(FitProgress) + Send), total: usize) -> Self {
        Self {
            callback,
            done: 0,
            total,
        }
    }

    /// Reports `stage` as finished.
    pub(super) fn finished(&mut self, stage: FitStage) {
        self.done += 1;
        // A miscount must never report more done than total.
        self.total = self.total.max(self.done);
        (self.callback)(FitProgress {
            stage,
            done: self.done,
            total: self.total,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde() {
        for stage in FitStage::ALL {
            let json = serde_json::to_string(&stage).unwrap();
            assert_eq!(json, format!("\"{}\"", stage.name()));
            assert_eq!(serde_json::from_str::<FitStage>(&json).unwrap(), stage);
        }
    }

    fn dataset(ratings: bool) -> crate::data::Dataset {
        use crate::data::Feedback;
        let mut ds = crate::data::Dataset::new();
        for (u, i, stars) in [
            ("a", "x", 5.0),
            ("a", "y", 3.0),
            ("b", "y", 4.0),
            ("b", "z", 1.0),
        ] {
            let feedback = if ratings {
                Feedback::Rating(stars)
            } else {
                Feedback::Like
            };
            ds.add_event(u, i, feedback, 0).unwrap();
        }
        ds
    }

    fn stages_of(builder: &super::super::RecommenderBuilder, ratings: bool) -> Vec<FitProgress> {
        let mut seen = Vec::new();
        builder
            .fit_with_progress(&dataset(ratings), &mut |p| seen.push(p))
            .unwrap();
        seen
    }

    #[test]
    fn every_stage_run_is_reported_once_in_order() {
        use crate::models::als::AlsConfig;
        use crate::par::Parallelism;
        let builder = super::super::RecommenderBuilder::new().als(
            AlsConfig::new()
                .factors(2)
                .regularization(0.1)
                .iterations(2),
        );
        let all = stages_of(&builder, true);
        assert_eq!(
            all.iter().map(|p| p.stage).collect::<Vec<_>>(),
            FitStage::ALL
        );
        for (i, p) in all.iter().enumerate() {
            assert_eq!((p.done, p.total), (i + 1, FitStage::ALL.len()));
        }
        // Without item-kNN, EASE and ratings those three are neither run nor counted, also
        // on a pool of its own.
        let lean = builder
            .clone()
            .knn(None)
            .ease(None)
            .parallelism(Parallelism::Sequential);
        let seen = stages_of(&lean, false);
        let stages: Vec<FitStage> = seen.iter().map(|p| p.stage).collect();
        assert_eq!(
            stages,
            [
                FitStage::Interactions,
                FitStage::Als,
                FitStage::Content,
                FitStage::Trending,
                FitStage::Exposure,
                FitStage::Finish
            ]
        );
        assert!(seen.iter().all(|p| p.total == 6) && seen[5].is_last());
    }

    #[test]
    fn a_failing_fit_stops_reporting() {
        let mut seen = Vec::new();
        let result = super::super::RecommenderBuilder::new()
            .fit_with_progress(&crate::data::Dataset::new(), &mut |p| seen.push(p));
        assert!(result.is_err() && seen.is_empty());
    }

    #[test]
    fn reporter_counts_and_never_overshoots() {
        let mut seen = Vec::new();
        let mut callback = |p: FitProgress| seen.push(p);
        {
            let mut reporter = StageReporter::new(&mut callback, 1);
            reporter.finished(FitStage::Als);
            reporter.finished(FitStage::Finish);
        }
        assert_eq!(seen[0].done, 1);
        assert_eq!((seen[1].done, seen[1].total), (2, 2));
        assert!(seen[1].is_last());
    }
}
