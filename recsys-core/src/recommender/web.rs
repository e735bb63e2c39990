//! Smaller artifacts for shipping a recommender (to browsers): pruned neighbour lists, packed
//! float arrays, and a catalogue without what only training reads.

use crate::codec::FloatEncoding;
use crate::{Error, Result};

use super::Recommender;

/// How [`Recommender::compact`] shrinks a recommender for its artifact.
///
/// [`ArtifactOptions::new`] changes nothing; [`ArtifactOptions::web`] is the browser preset.
/// Every setting changes answers a little (the MovieLens-100K figures are in
/// `recsys-wasm/README.md`); the request-only catalogue changes none.
///
/// ```
/// use recsys_core::artifact::FloatEncoding;
/// use recsys_core::recommender::ArtifactOptions;
///
/// let web = ArtifactOptions::web();
/// assert_eq!(web.float_encoding(), FloatEncoding::Int8);
/// let finer = web.floats(FloatEncoding::F16).item_neighbors(Some(150));
/// assert_eq!(finer.float_encoding(), FloatEncoding::F16);
/// assert!(ArtifactOptions::new().item_neighbors(Some(0)).validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactOptions {
    floats: FloatEncoding,
    item_neighbors: Option<usize>,
    content_neighbors: Option<usize>,
    ease_weights: Option<usize>,
    request_only_catalog: bool,
}

impl Default for ArtifactOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl ArtifactOptions {
    /// Item-kNN neighbours per item kept by [`ArtifactOptions::web`] (of 200 by default: with
    /// the EASE signal in the blend, 100 lose 1.6 % of nDCG@10 on MovieLens-100K, 150 with 50
    /// EASE weights 0.65 %).
    pub const WEB_ITEM_NEIGHBORS: usize = 150;
    /// EASE weights per item kept by [`ArtifactOptions::web`] (of 200 in a fitted
    /// recommender), the largest in magnitude (on MovieLens-100K 50 lose less nDCG@10 than
    /// 100 do, with 9 % fewer gzipped bytes).
    pub const WEB_EASE_WEIGHTS: usize = 50;
    /// Content neighbours per item kept by [`ArtifactOptions::web`] (of 100): more than the
    /// 20 a cold item's factors are estimated from, enough for Similar To lists.
    pub const WEB_CONTENT_NEIGHBORS: usize = 30;

    /// Everything as trained: `f32` floats, all neighbours, the full catalogue.
    pub fn new() -> Self {
        Self {
            floats: FloatEncoding::F32,
            item_neighbors: None,
            content_neighbors: None,
            ease_weights: None,
            request_only_catalog: false,
        }
    }

    /// The browser preset: `int8` factors and similarities, at most
    /// [`WEB_ITEM_NEIGHBORS`](Self::WEB_ITEM_NEIGHBORS) item-kNN and
    /// [`WEB_CONTENT_NEIGHBORS`](Self::WEB_CONTENT_NEIGHBORS) content neighbours per item, and
    /// [`WEB_EASE_WEIGHTS`](Self::WEB_EASE_WEIGHTS) EASE weights per item, and the
    /// request-only catalogue (MovieLens-100K: 4.1 MB → 1.04 MB gzipped, nDCG@10 0.65 % below
    /// the full model's).
    pub fn web() -> Self {
        Self {
            floats: FloatEncoding::Int8,
            item_neighbors: Some(Self::WEB_ITEM_NEIGHBORS),
            content_neighbors: Some(Self::WEB_CONTENT_NEIGHBORS),
            ease_weights: Some(Self::WEB_EASE_WEIGHTS),
            request_only_catalog: true,
        }
    }

    /// How factors and similarities are stored ([`FloatEncoding`]).
    pub fn floats(mut self, floats: FloatEncoding) -> Self {
        self.floats = floats;
        self
    }

    /// Keeps at most this many item-kNN neighbours per item, the most similar (`None`: all).
    pub fn item_neighbors(mut self, max: Option<usize>) -> Self {
        self.item_neighbors = max;
        self
    }

    /// Keeps at most this many content neighbours per item (Similar To, Because You Liked and
    /// cold items read them; `None`: all).
    pub fn content_neighbors(mut self, max: Option<usize>) -> Self {
        self.content_neighbors = max;
        self
    }

    /// Keeps at most this many EASE weights per item, the largest in magnitude (`None`: all).
    pub fn ease_weights(mut self, max: Option<usize>) -> Self {
        self.ease_weights = max;
        self
    }

    /// Drops the items' attributes and free text, which only training reads (content
    /// features are already computed), and numbers the people in id order, so that packed
    /// files front-code their ids and delta-code the credits: recommendations, reasons and
    /// scores do not change; an item's people are listed by role, then id.
    pub fn request_only_catalog(mut self, yes: bool) -> Self {
        self.request_only_catalog = yes;
        self
    }

    /// The float encoding.
    pub fn float_encoding(&self) -> FloatEncoding {
        self.floats
    }

    /// Checks the options: neighbour limits are at least 1.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the setting.
    pub fn validate(&self) -> Result<()> {
        for (name, max) in [
            ("item_neighbors", self.item_neighbors),
            ("content_neighbors", self.content_neighbors),
            ("ease_weights", self.ease_weights),
        ] {
            if max == Some(0) {
                return Err(Error::invalid(name, "must keep at least 1 neighbour"));
            }
        }
        Ok(())
    }
}

impl Recommender {
    /// A smaller copy for its artifact, e.g. for browsers: neighbour lists pruned, the
    /// catalogue reduced to what requests read, and factors and similarities rounded to
    /// `options`' float encoding, which [`Artifact::to_bytes`] and `save` then write. The
    /// copy answers exactly as its artifact will after loading (it went through the same
    /// encoding and decoding), with the artifact's fingerprint.
    ///
    /// ```
    /// # use recsys_core::data::{Dataset, Feedback};
    /// # use recsys_core::models::als::AlsConfig;
    /// use recsys_core::artifact::{self, Artifact, FloatEncoding};
    /// use recsys_core::recommender::{ArtifactOptions, Recommender, RecommenderBuilder};
    /// # let mut ds = Dataset::new();
    /// # for (user, item) in [("a", "alien"), ("a", "heat"), ("b", "heat"), ("b", "fargo")] {
    /// #     ds.add_event(user, item, Feedback::Like, 0)?;
    /// # }
    /// let full = RecommenderBuilder::new().als(AlsConfig::new().factors(4)).fit(&ds)?;
    /// let web = full.compact(&ArtifactOptions::web())?;
    /// let bytes = web.to_bytes()?;
    /// assert_eq!(artifact::inspect(&bytes)?.kind, "recommender-int8-delta-people");
    /// assert_eq!(artifact::fingerprint(&bytes)?, web.fingerprint());
    /// let loaded = Recommender::from_bytes(&bytes)?;
    /// assert_eq!(loaded.fingerprint(), web.fingerprint());
    /// assert_eq!(loaded.to_bytes()?, bytes);
    /// # Ok::<(), recsys_core::Error>(())
    /// ```
    ///
    /// [`Artifact::to_bytes`]: crate::artifact::Artifact::to_bytes
    ///
    /// # Errors
    /// Those of [`ArtifactOptions::validate`]; [`Error::CorruptArtifact`] when a value does
    /// not fit the encoding (`f16` holds magnitudes up to 65504).
    pub fn compact(&self, options: &ArtifactOptions) -> Result<Recommender> {
        options.validate()?;
        let mut smaller = self.clone();
        if let (Some(max), Some(knn)) = (options.item_neighbors, smaller.knn.as_mut()) {
            knn.prune(max);
        }
        if let Some(max) = options.content_neighbors {
            smaller.neighbors.prune(max);
        }
        if let (Some(max), Some(ease)) = (options.ease_weights, smaller.ease.as_mut()) {
            ease.prune(max);
        }
        if options.request_only_catalog {
            smaller.catalog.drop_training_only();
            smaller.catalog.sort_people();
        }
        smaller.floats = options.floats;
        let payload = crate::codec::with_floats(options.floats, || {
            crate::codec::encode("recommender", &smaller)
        })?;
        let decoded: Recommender = crate::codec::with_floats(options.floats, || {
            bincode::serde::decode_from_slice(&payload, crate::codec::config())
        })
        .map(|(decoded, _)| decoded)
        .map_err(|err| crate::validate::corrupt(format!("compacted recommender: {err}")))?;
        Ok(decoded.with_fingerprint(crate::codec::fingerprint(&payload)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::{self, Artifact, FloatEncoding};
    use crate::codec::Packing;
    use crate::data::Feedback;
    use crate::recommender::tests::small_recommender;
    use crate::recommender::{List, Query, UserHistory};

    fn most_similar_first(indptr_rows: impl Iterator<Item = Vec<f32>>) -> bool {
        indptr_rows
            .into_iter()
            .all(|row| row.windows(2).all(|w| w[0] >= w[1]))
    }

    #[test]
    fn packed_neighbour_lists_are_delta_coded_and_load_most_similar_first() {
        let full = small_recommender();
        let history = UserHistory::new().with("heat", Feedback::Like, 1);
        let query = Query::new(List::ForYou).n(5).explain(true);
        for floats in [FloatEncoding::F16, FloatEncoding::Int8] {
            let web = full
                .compact(&ArtifactOptions::new().floats(floats))
                .unwrap();
            let bytes = web.to_bytes().unwrap();
            assert_eq!(
                artifact::inspect(&bytes).unwrap().kind,
                format!("recommender-{floats}-delta-people")
            );
            let loaded = Recommender::from_bytes(&bytes).unwrap();
            assert_eq!(loaded.to_bytes().unwrap(), bytes);
            let n = loaded.n_items() as u32;
            let knn = loaded.knn.as_ref().expect("item-kNN");
            assert!(most_similar_first(
                (0..n).map(|i| knn.neighbors(i).unwrap().1.to_vec())
            ));
            assert!(most_similar_first(
                (0..n).map(|i| loaded.neighbors.neighbors(i).unwrap().1.to_vec())
            ));
            // Same neighbours as the full model, in the same order up to rounding ties.
            let (full_items, _) = full.knn.as_ref().unwrap().neighbors(0).unwrap();
            let (items, _) = knn.neighbors(0).unwrap();
            let mut sorted = (full_items.to_vec(), items.to_vec());
            sorted.0.sort_unstable();
            sorted.1.sort_unstable();
            assert_eq!(sorted.0, sorted.1);
            assert_eq!(
                loaded.recommend(&history, &query).unwrap(),
                web.recommend(&history, &query).unwrap()
            );
        }
    }

    /// Each item's people as sorted `(role, id, name)`: the credits, whatever their order.
    fn people(rec: &Recommender) -> Vec<Vec<(String, String, Option<String>)>> {
        rec.items
            .ids()
            .iter()
            .map(|id| {
                let mut people: Vec<_> = rec
                    .item(id)
                    .unwrap()
                    .people
                    .into_iter()
                    .map(|p| (p.role.as_str().to_string(), p.person_id, p.name))
                    .collect();
                people.sort();
                people
            })
            .collect()
    }

    #[test]
    fn the_request_only_catalogue_answers_as_the_full_one() {
        use crate::recommender::Filters;
        let full = small_recommender();
        let slim = full
            .compact(&ArtifactOptions::new().request_only_catalog(true))
            .unwrap();
        let history = UserHistory::new()
            .with("fargo", Feedback::Rating(5.0), 1)
            .with_favorite_person("mcd");
        let queries = [
            Query::new(List::ForYou).n(6).explain(true).detail(true),
            Query::new(List::because_you_liked("fargo"))
                .n(4)
                .explain(true),
            Query::new(List::Trending)
                .n(4)
                .filters(Filters::new().person("coen")),
        ];
        for query in &queries {
            let expected = full.recommend(&history, query).unwrap();
            assert_eq!(
                slim.recommend(&history, query).unwrap().items,
                expected.items
            );
        }
        assert_eq!(people(&slim), people(&full));
        // Packed, the people and credits survive the file exactly.
        let packed = full
            .compact(&ArtifactOptions::web().floats(FloatEncoding::F16))
            .unwrap();
        let loaded = Recommender::from_bytes(&packed.to_bytes().unwrap()).unwrap();
        assert_eq!(people(&loaded), people(&full));
        assert_eq!(
            loaded.person_ids().collect::<Vec<_>>(),
            packed.person_ids().collect::<Vec<_>>()
        );
    }

    #[test]
    fn earlier_builds_packed_files_still_load_and_re_save_in_the_current_layout() {
        let web = small_recommender()
            .compact(&ArtifactOptions::web())
            .unwrap();
        let history = UserHistory::new().with("fargo", Feedback::Rating(5.0), 1);
        let query = Query::new(List::ForYou).n(5).explain(true);
        let expected = web.recommend(&history, &query).unwrap().items;
        // Earlier builds: nothing delta-coded, then neighbour ids but not the people.
        for (delta_ids, kind) in [
            (false, "recommender-int8"),
            (true, "recommender-int8-delta"),
        ] {
            let legacy = Packing {
                floats: FloatEncoding::Int8,
                delta_ids,
                packed_people: false,
            };
            let old = artifact::write_packed(Recommender::KIND, &web, legacy).unwrap();
            assert_eq!(artifact::inspect(&old).unwrap().kind, kind);
            assert_ne!(old, web.to_bytes().unwrap());
            let loaded = Recommender::from_bytes(&old).unwrap();
            assert_eq!(loaded.recommend(&history, &query).unwrap().items, expected);
            assert_eq!(loaded.item("heat"), web.item("heat"));
            // Its fingerprint is that of the file it re-saves as (the current layout).
            let resaved = loaded.to_bytes().unwrap();
            assert_eq!(
                artifact::inspect(&resaved).unwrap().kind,
                "recommender-int8-delta-people"
            );
            assert_eq!(
                loaded.fingerprint(),
                artifact::fingerprint(&resaved).unwrap()
            );
        }
        // People packed without delta-coded ids is no layout of any build.
        let forged = artifact::to_bytes("recommender-int8-people", &web).unwrap();
        assert!(Recommender::from_bytes(&forged).is_err());
        // An unknown layout suffix is refused by its kind.
        let forged = artifact::to_bytes("recommender-int8-gamma", &web).unwrap();
        let err = Recommender::from_bytes(&forged).unwrap_err().to_string();
        assert!(err.contains("recommender-int8-gamma"), "{err}");
    }
}
