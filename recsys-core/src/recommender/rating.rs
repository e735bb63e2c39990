//! Explicit rating prediction: the request's ratings are folded into the recommender's
//! matrix-factorisation model ([`MfModel::fold_in_with_prior`]), so a rating made a second ago
//! counts, shrunk towards the item baseline by how many ratings there are
//! ([`FoldInPrior::default`]): one rating moves the stars a little, many move them a lot.

use super::{Recommender, UserHistory};
use crate::models::mf::{FoldInPrior, FoldedUser, MfModel};
use crate::{Error, Result};

impl Recommender {
    /// Whether the recommender can predict ratings (it was trained on explicit ratings with
    /// the rating model enabled, see [`RecommenderBuilder::ratings`](super::RecommenderBuilder::ratings)).
    pub fn has_ratings(&self) -> bool {
        self.ratings.is_some()
    }

    /// The `(min, max)` of the training ratings, which predictions stay within, when the
    /// recommender predicts ratings.
    pub fn rating_range(&self) -> Option<(f32, f32)> {
        self.ratings.as_ref().map(MfModel::rating_range)
    }

    /// Predicts the rating the history's user would give `item`, within the training rating
    /// range.
    ///
    /// Only [`Feedback::Rating`](crate::data::Feedback::Rating) events of the history count (the latest per item wins);
    /// likes, dislikes and the implicit kinds carry no star value and are ignored, as are
    /// history ids the recommender does not know. A history without ratings gets the item's
    /// baseline `μ + b_i`; a short one stays near it ([`FoldInPrior::default`]).
    ///
    /// ```
    /// use recsys_core::data::{Dataset, Feedback};
    /// use recsys_core::models::als::AlsConfig;
    /// use recsys_core::models::mf::MfConfig;
    /// use recsys_core::recommender::{RecommenderBuilder, UserHistory};
    ///
    /// let mut ds = Dataset::new();
    /// for (user, item, stars) in [("a", "alien", 5.0), ("a", "heat", 1.0), ("b", "alien", 4.0),
    ///                             ("b", "heat", 2.0), ("c", "fargo", 4.0), ("c", "alien", 5.0)] {
    ///     ds.add_event(user, item, Feedback::Rating(stars), 0)?;
    /// }
    /// let recommender = RecommenderBuilder::new()
    ///     .als(AlsConfig::new().factors(2))
    ///     .ratings(Some(MfConfig::new().factors(2).epochs(50)))
    ///     .fit(&ds)?;
    /// let history = UserHistory::new().with("fargo", Feedback::Rating(5.0), 1);
    /// let alien = recommender.predict_rating(&history, "alien")?;
    /// let heat = recommender.predict_rating(&history, "heat")?;
    /// assert!(alien > heat && (1.0..=5.0).contains(&heat));
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownItem`] for an unknown `item`; [`Error::InvalidParameter`] when the
    /// recommender has no rating model or the history fails [`UserHistory::validate`] (a NaN
    /// or absurd rating).
    pub fn predict_rating(&self, history: &UserHistory, item: &str) -> Result<f32> {
        let (model, user) = self.fold_in_ratings(history)?;
        model.predict_folded(&user, self.item_index(item)?)
    }

    /// [`Recommender::predict_rating`] for many items with one fold-in.
    ///
    /// # Errors
    /// Those of [`Recommender::predict_rating`], for the first failing item.
    pub fn predict_ratings<S: AsRef<str>>(
        &self,
        history: &UserHistory,
        items: &[S],
    ) -> Result<Vec<f32>> {
        let (model, user) = self.fold_in_ratings(history)?;
        items
            .iter()
            .map(|id| model.predict_folded(&user, self.item_index(id.as_ref())?))
            .collect()
    }

    /// The rating model and the history's ratings folded into it.
    fn fold_in_ratings(&self, history: &UserHistory) -> Result<(&MfModel, FoldedUser)> {
        let model = self.ratings.as_ref().ok_or_else(|| {
            Error::invalid(
                "ratings",
                "this recommender has no rating model: it was trained without explicit \
                 ratings or with the rating model disabled",
            )
        })?;
        history.validate()?;
        let known = history.events().iter().filter_map(|event| {
            let item = self.items.index_of(&event.item_id)?;
            Some((item, event.timestamp, event.feedback))
        });
        // The latest rating per item wins, as in training.
        let latest: Vec<(u32, f32)> = self
            .policy
            .resolve_pairs(known)
            .into_iter()
            .filter_map(|(item, pair)| Some((item, pair.rating?)))
            .collect();
        Ok((
            model,
            model.fold_in_with_prior(&latest, FoldInPrior::default())?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;
    use crate::data::Feedback;
    use crate::models::als::AlsConfig;
    use crate::models::mf::MfConfig;
    use crate::recommender::RecommenderBuilder;

    /// Two taste groups: users `u0..u9` love the even items, `u10..u19` the odd ones.
    fn dataset(ratings: bool) -> Dataset {
        let mut ds = Dataset::new();
        for u in 0..20 {
            for i in 0..10 {
                if (u + i) % 3 == 0 {
                    continue;
                }
                let loves = (u < 10) == (i % 2 == 0);
                let feedback = match (ratings, loves) {
                    (true, true) => Feedback::Rating(5.0),
                    (true, false) => Feedback::Rating(1.0),
                    (false, true) => Feedback::Like,
                    (false, false) => Feedback::Dislike,
                };
                ds.add_event(&format!("u{u}"), &format!("i{i}"), feedback, 0)
                    .unwrap();
            }
        }
        ds
    }

    fn builder() -> RecommenderBuilder {
        RecommenderBuilder::new()
            .als(AlsConfig::new().factors(2).iterations(3))
            .ratings(Some(
                MfConfig::sgd().factors(2).epochs(200).learning_rate(0.02),
            ))
    }

    #[test]
    fn folds_in_the_request_ratings() {
        let recommender = builder().fit(&dataset(true)).unwrap();
        assert!(recommender.has_ratings());
        let even_fan = UserHistory::new()
            .with("i0", Feedback::Rating(5.0), 0)
            .with("i1", Feedback::Rating(1.0), 0)
            .with("i2", Feedback::Rating(5.0), 0);
        let predictions = recommender
            .predict_ratings(&even_fan, &["i4", "i3", "i5"])
            .unwrap();
        assert!(predictions[0] > 3.5, "{predictions:?}");
        assert!(
            predictions[1] < 2.5 && predictions[2] < 2.5,
            "{predictions:?}"
        );
        // The latest rating of an item wins; likes and unknown ids do not count.
        let changed_mind = even_fan
            .clone()
            .with("i0", Feedback::Rating(1.0), 5)
            .with("i2", Feedback::Rating(1.0), 5)
            .with("i1", Feedback::Rating(5.0), 5)
            .with("i3", Feedback::Like, 6)
            .with("nope", Feedback::Rating(5.0), 6);
        let flipped = recommender.predict_rating(&changed_mind, "i3").unwrap();
        assert!(flipped > 3.5, "{flipped}");
        // No ratings: the item baseline, the same for every such history.
        let likes_only = UserHistory::new().with("i1", Feedback::Like, 0);
        assert_eq!(
            recommender.predict_rating(&likes_only, "i3").unwrap(),
            recommender
                .predict_rating(&UserHistory::new(), "i3")
                .unwrap()
        );
    }

    #[test]
    fn a_few_ratings_move_the_stars_less_than_a_bare_fold_in() {
        let recommender = builder().fit(&dataset(true)).unwrap();
        let model = recommender.ratings.as_ref().unwrap();
        let targets = ["i2", "i3", "i4", "i5"];
        let baseline = recommender
            .predict_ratings(&UserHistory::new(), &targets)
            .unwrap();
        let one = UserHistory::new().with("i0", Feedback::Rating(5.0), 0);
        let shrunk = recommender.predict_ratings(&one, &targets).unwrap();
        let i0 = recommender.items.index_of("i0").unwrap();
        let bare = model.fold_in(&[(i0, 5.0)]).unwrap();
        for ((target, &base), &moved) in targets.iter().zip(&baseline).zip(&shrunk) {
            let item = recommender.items.index_of(target).unwrap();
            let unshrunk = model.predict_folded(&bare, item).unwrap();
            assert!(
                (moved - base).abs() <= (unshrunk - base).abs() + 1e-6,
                "{target}: baseline {base}, shrunk {moved}, bare {unshrunk}"
            );
        }
        // Still personal: the shrunk prediction moves towards the rating's side.
        assert!(shrunk[0] >= baseline[0], "{shrunk:?} vs {baseline:?}");
    }

    #[test]
    fn the_rating_model_survives_the_artifact_and_is_checked_on_load() {
        use crate::artifact::Artifact;
        let recommender = builder().fit(&dataset(true)).unwrap();
        let history = UserHistory::new().with("i0", Feedback::Rating(5.0), 0);
        let expected = recommender
            .predict_ratings(&history, &["i1", "i2"])
            .unwrap();
        let restored = Recommender::from_bytes(&recommender.to_bytes().unwrap()).unwrap();
        assert_eq!(
            restored.predict_ratings(&history, &["i1", "i2"]).unwrap(),
            expected
        );
        // Only the item side is stored: requests fold their users in.
        assert_eq!(restored.ratings.as_ref().map(MfModel::n_users), Some(0));
        // A rating model over another catalogue is refused on save (and on load).
        let mut damaged = recommender;
        damaged.ratings = Some(
            MfConfig::new()
                .factors(2)
                .epochs(2)
                .fit(&[(0, 0, 1.0)], 1, 3)
                .unwrap(),
        );
        let err = damaged.to_bytes().unwrap_err();
        assert!(
            matches!(err, Error::CorruptArtifact { ref reason } if reason.contains("rating model")),
            "{err}"
        );
    }

    #[test]
    fn errors_instead_of_panics() {
        let recommender = builder().fit(&dataset(true)).unwrap();
        let history = UserHistory::new();
        assert!(matches!(
            recommender.predict_rating(&history, "missing"),
            Err(Error::UnknownItem { .. })
        ));
        let nan = UserHistory::new().with("i0", Feedback::Rating(f32::NAN), 0);
        assert!(matches!(
            recommender.predict_rating(&nan, "i1"),
            Err(Error::InvalidParameter { .. })
        ));
        // Implicit-only training data, or the model switched off: no rating model.
        let implicit = builder().fit(&dataset(false)).unwrap();
        let disabled = builder().ratings(None).fit(&dataset(true)).unwrap();
        for recommender in [implicit, disabled] {
            assert!(!recommender.has_ratings());
            assert!(matches!(
                recommender.predict_rating(&history, "i0"),
                Err(Error::InvalidParameter { name, .. }) if name == "ratings"
            ));
        }
    }
}
