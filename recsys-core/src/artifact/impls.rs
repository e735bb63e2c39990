//! `impl Artifact` for every model of the crate: the kind tag, and the model's own validation
//! (which lives next to the model) as [`Artifact::check_invariants`].

use super::Artifact;
use crate::Result;

impl Artifact for crate::models::als::AlsModel {
    const KIND: &'static str = "als";
}

impl Artifact for crate::models::mf::MfModel {
    const KIND: &'static str = "mf";

    /// Factor and bias lengths agree with the factor count; values and the rating range are
    /// finite, with `min ≤ max`.
    fn check_invariants(&self) -> Result<()> {
        self.validate()
    }
}

impl Artifact for crate::models::knn::ItemKnnModel {
    const KIND: &'static str = "item-knn";

    /// A well-formed neighbour CSR whose neighbours are items of the model.
    fn check_invariants(&self) -> Result<()> {
        self.validate()
    }
}

impl Artifact for crate::models::ease::EaseModel {
    const KIND: &'static str = "ease";

    /// A well-formed weight CSR over modelled items, finite weights.
    fn check_invariants(&self) -> Result<()> {
        self.validate()
    }
}

impl Artifact for crate::models::popularity::PopularityModel {
    const KIND: &'static str = "popularity";

    /// Scores are finite.
    fn check_invariants(&self) -> Result<()> {
        self.validate()
    }
}

impl Artifact for crate::models::trending::TrendingModel {
    const KIND: &'static str = "trending";

    /// One all-time and one trending score per item, all finite.
    fn check_invariants(&self) -> Result<()> {
        self.validate()
    }
}

impl Artifact for crate::models::content::ContentModel {
    const KIND: &'static str = "content";

    /// Features (token CSR, vocabulary, embeddings) and stored neighbours are consistent with
    /// each other and with the number of items.
    fn check_invariants(&self) -> Result<()> {
        self.validate()
    }
}

impl Artifact for crate::recommender::Recommender {
    const KIND: &'static str = "recommender";

    /// Kept since the recommender was fitted or decoded (the same value).
    fn fingerprint(&self) -> Result<String> {
        Ok(self.fingerprint().to_string())
    }

    fn check_invariants(&self) -> Result<()> {
        self.validate()
    }

    /// Version 3 recommenders (no EASE) load as they were and recommend as before.
    fn decode_payload(format_version: u32, payload: &[u8]) -> Result<Self> {
        if format_version == 3 {
            let v3: crate::recommender::RecommenderV3 = super::decode_payload(Self::KIND, payload)?;
            v3.try_into()
        } else {
            super::decode_payload(Self::KIND, payload)
        }
    }

    fn float_encoding(&self) -> super::FloatEncoding {
        self.float_encoding()
    }

    /// Decodes and validates; the fingerprint is the hash of the payload read (not of a
    /// re-encoding: loading stays one pass over the bytes).
    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (info, packing, payload) = super::split_kind(Self::KIND, bytes)?;
        let recommender = crate::codec::with_packing(packing, || {
            Self::decode_payload(info.format_version, payload)
        })?;
        recommender.check_invariants()?;
        // An older version's (or layout's) payload differs from the one this model writes
        // now: its fingerprint is computed on first use, so a re-saved file keeps it.
        if info.format_version != super::FORMAT_VERSION
            || packing != crate::codec::Packing::written(packing.floats)
        {
            return Ok(recommender);
        }
        Ok(recommender.with_fingerprint(crate::codec::fingerprint(payload)))
    }
}

impl Artifact for crate::data::IdMap {
    const KIND: &'static str = "id-map";
    // Decoding an id map refuses repeated ids (its `TryFrom`); nothing else can be wrong.
}

impl Artifact for crate::data::Dataset {
    const KIND: &'static str = "dataset";

    /// Every event must point at a known user and item and carry a finite rating; the catalog
    /// has no more entries than there are items and its credits name known people.
    fn check_invariants(&self) -> Result<()> {
        self.catalog.validate()?;
        self.validate()
    }
}
