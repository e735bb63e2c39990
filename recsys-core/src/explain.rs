//! Why an item was recommended: structured [`Reason`]s, their rendering into one sentence, and
//! the exact decomposition of an ALS fold-in score over the user's history.
//!
//! Reasons name items by the app's own ids ([`ItemRef`]) with their titles, so a reason is
//! complete on its own: it renders without the catalogue, survives a model swap, and its serde
//! form (`{"kind": "because_you_liked", "items": [...]}`) is what Python, the browser and the
//! server's JSON show.
//!
//! ALS part (Hu, Koren & Volinsky 2008, §5): with `A_u = YᵀC_uY + λI` and the folded-in user
//! vector `x_u = A_u⁻¹ Σ_j c_uj y_j` (positive history items `j`),
//! `score(u, i) = y_iᵀ x_u = Σ_j c_uj · y_iᵀ A_u⁻¹ y_j`. [`FoldIn`] factors `A_u` once per
//! request, so the user vector and every item's decomposition cost one triangular solve each.
//!
//! ```
//! use recsys_core::explain::{render, CitedItem, ItemRef, Reason};
//! let star_wars = ItemRef::new("50").title("Star Wars").year(1977);
//! let alien = ItemRef::new("183").title("Alien").year(1979);
//! let why = [Reason::BecauseYouLiked {
//!     items: vec![CitedItem::new(star_wars, 0.6), CitedItem::new(alien, 0.3)],
//! }];
//! assert_eq!(render(&why), "Because you liked Star Wars (1977) and Alien (1979)");
//! let json = serde_json::to_value(&why[0]).unwrap();
//! assert_eq!(json["kind"], "because_you_liked");
//! assert_eq!(json["items"][0]["item_id"], "50");
//! ```

use serde::{Deserialize, Serialize};

use crate::data::{Catalog, IdMap, Role};
use crate::linalg::dot;
pub(crate) use crate::linalg::{dot_f32, dot_rows};
use crate::models::als::AlsModel;
use crate::models::History;
use crate::{Error, Result};

/// An item as results cite it: the app's id, with title and year for display.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ItemRef {
    /// External item id.
    pub item_id: String,
    /// Title without the year, when the catalogue has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Release year, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
}

impl ItemRef {
    /// A reference to `item_id` without a title.
    pub fn new(item_id: &str) -> Self {
        Self {
            item_id: item_id.to_string(),
            title: None,
            year: None,
        }
    }

    /// Sets the title (builder style).
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    /// Sets the year (builder style).
    pub fn year(mut self, year: i32) -> Self {
        self.year = Some(year);
        self
    }

    /// The title as shown to users: `"Fargo (1996)"`, the title alone without a year, or the
    /// id when there is no title.
    pub fn display(&self) -> String {
        match (&self.title, self.year) {
            (Some(title), Some(year)) => format!("{title} ({year})"),
            (Some(title), None) => title.clone(),
            (None, _) => self.item_id.clone(),
        }
    }

    /// The reference for a dense item index of a catalogue.
    pub(crate) fn of(items: &IdMap, catalog: &Catalog, item: u32) -> Self {
        let info = catalog.item(item);
        Self {
            item_id: items.id_of(item).unwrap_or_default().to_string(),
            title: info.and_then(|info| info.title.clone()),
            year: info.and_then(|info| info.year),
        }
    }
}

/// A history item a reason cites, with its share of the signal the reason stands for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CitedItem {
    /// The cited item.
    #[serde(flatten)]
    pub item: ItemRef,
    /// Its fraction of the signal, in `[0, 1]` (largest first).
    pub share: f32,
}

impl CitedItem {
    /// `item` with `share`.
    pub fn new(item: ItemRef, share: f32) -> Self {
        Self { item, share }
    }
}

/// How many people of one role two items share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RoleCount {
    /// The role.
    pub role: Role,
    /// How many people in it the items share (at least 1).
    pub count: usize,
}

/// One structured reason for a recommendation.
///
/// Serialised tagged by `kind` in snake_case: `{"kind": "similar_to", "item": {...}}`,
/// `{"kind": "popular"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The collaborative score comes from these history items, with each one's fraction of
    /// the collaborative score (largest first).
    BecauseYouLiked {
        /// History items and their shares.
        items: Vec<CitedItem>,
    },
    /// The item shares people with a history (or seed) item: how many per role.
    SharedPeople {
        /// The item the people are shared with.
        item: ItemRef,
        /// Counts per role, director first.
        roles: Vec<RoleCount>,
        /// A display name when exactly one person is shared and the catalog knows the name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// The item shares genres with a history (or seed) item.
    SharedGenres {
        /// The item the genres are shared with.
        item: ItemRef,
        /// The shared genre names.
        genres: Vec<String>,
    },
    /// The item is similar to the item the list is built around.
    SimilarTo {
        /// The seed item.
        item: ItemRef,
    },
    /// The item is in a genre the user's history favours.
    MatchesTaste {
        /// The genre.
        genre: String,
    },
    /// The item matches a favourite genre or person the user named (onboarding).
    YouLike {
        /// The genre name or the person's display name.
        name: String,
    },
    /// The item is popular right now (time-decayed popularity).
    Trending,
    /// The item is popular within a genre lately.
    PopularIn {
        /// The genre.
        genre: String,
    },
    /// The item is popular overall.
    Popular,
    /// The item has no interactions yet; it was chosen for its content.
    NewArrival,
}

impl Reason {
    /// The reason as an English phrase ("Because you liked Fargo (1996)").
    pub fn phrase(&self) -> String {
        match self {
            Reason::BecauseYouLiked { items } => {
                let titles: Vec<String> = items.iter().map(|c| c.item.display()).collect();
                format!("Because you liked {}", join_and(&titles))
            }
            Reason::SharedPeople { item, roles, name } => {
                let phrases: Vec<String> = roles
                    .iter()
                    .map(|rc| role_phrase(rc.role, rc.count, name.as_deref()))
                    .collect();
                format!("Shares {} with {}", join_and(&phrases), item.display())
            }
            Reason::SharedGenres { item, genres } => {
                format!("{} like {}", join_and(genres), item.display())
            }
            Reason::SimilarTo { item } => format!("Similar to {}", item.display()),
            Reason::MatchesTaste { genre } => format!("Matches your taste for {genre}"),
            Reason::YouLike { name } => format!("Because you like {name}"),
            Reason::Trending => "Trending now".to_string(),
            Reason::PopularIn { genre } => format!("Popular in {genre} this month"),
            Reason::Popular => "Popular with everyone".to_string(),
            Reason::NewArrival => "New in the catalogue".to_string(),
        }
    }
}

/// "a, b and c".
fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn role_phrase(role: Role, count: usize, name: Option<&str>) -> String {
    let (one, many) = match role {
        Role::Actor => ("a cast member", "cast members"),
        Role::Director => ("director", "directors"),
        Role::Writer => ("a writer", "writers"),
        Role::Producer => ("a producer", "producers"),
    };
    match (name, count) {
        (Some(name), 1) => format!("{} {name}", role.as_str()),
        (_, 1) => one.to_string(),
        _ => format!("{count} {many}"),
    }
}

/// The reasons as one sentence: the phrases joined with "; ".
pub fn render(reasons: &[Reason]) -> String {
    let phrases: Vec<String> = reasons.iter().map(Reason::phrase).collect();
    phrases.join("; ")
}

/// Shared people of `item` with `other` as a [`Reason::SharedPeople`] (roles counted, director
/// first), or `None` when they share nobody.
pub(crate) fn shared_people(
    items: &IdMap,
    catalog: &Catalog,
    item: u32,
    other: u32,
) -> Option<Reason> {
    let shared = catalog.shared_credits(other, item);
    if shared.is_empty() {
        return None;
    }
    let mut roles: Vec<RoleCount> = Vec::new();
    for role in [Role::Director, Role::Writer, Role::Actor, Role::Producer] {
        let count = shared.iter().filter(|c| c.role == role).count();
        if count > 0 {
            roles.push(RoleCount { role, count });
        }
    }
    let name = match shared.as_slice() {
        [only] => catalog.person_name(only.person).map(str::to_string),
        _ => None,
    };
    Some(Reason::SharedPeople {
        item: ItemRef::of(items, catalog, other),
        roles,
        name,
    })
}

/// Genres `item` shares with `other` as a [`Reason::SharedGenres`], or `None`.
pub(crate) fn shared_genres(
    items: &IdMap,
    catalog: &Catalog,
    item: u32,
    other: u32,
) -> Option<Reason> {
    let (a, b) = (catalog.item(item)?, catalog.item(other)?);
    let genres: Vec<String> = a
        .genres
        .iter()
        .filter(|g| b.has_genre(g))
        .cloned()
        .collect();
    (!genres.is_empty()).then_some(Reason::SharedGenres {
        item: ItemRef::of(items, catalog, other),
        genres,
    })
}

/// A history folded into an ALS model with `A_u` factored once: the user vector and the exact
/// per-history-item decomposition of any item's score.
#[derive(Clone, Debug)]
pub struct FoldIn {
    k: usize,
    /// Lower Cholesky factor `L` of `A_u`, row-major.
    factor: Vec<f64>,
    /// `Lᵀ`, row-major (contiguous rows for the backward solve).
    upper: Vec<f64>,
    /// `x_u = A_u⁻¹ Σ_j c_uj y_j`.
    user: Vec<f32>,
    /// Positive history items and their confidences `c_uj = alpha · v_uj`.
    positives: Vec<(u32, f64)>,
}

/// [`FoldIn`]'s solve as a `pulp` operation, so its inlined kernels get AVX2 where available.
struct FoldOp<'a> {
    model: &'a AlsModel,
    gram: &'a [f64],
    history: History<'a>,
}

impl pulp::WithSimd for FoldOp<'_> {
    type Output = Result<FoldIn>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Self::Output {
        FoldIn::fold(self.model, self.gram, self.history)
    }
}

/// `YᵀY + λI` of the model's item factors, row-major `k × k`: what every fold-in starts from
/// (compute it once per model, pass it to [`FoldIn::with_gram`]).
pub fn item_gram(model: &AlsModel) -> Vec<f64> {
    let k = model.factors();
    let mut gram = vec![0.0f64; k * k];
    let mut y = vec![0.0f64; k];
    for row in model.item_factors().rows() {
        y.iter_mut()
            .zip(row.iter())
            .for_each(|(d, &v)| *d = f64::from(v));
        for a in 0..k {
            axpy(&mut gram[a * k..(a + 1) * k], y[a], &y);
        }
    }
    let regularization = f64::from(model.regularization());
    (0..k).for_each(|a| gram[a * k + a] += regularization);
    gram
}

/// `target += scale · x`.
#[inline(always)]
fn axpy(target: &mut [f64], scale: f64, x: &[f64]) {
    target.iter_mut().zip(x).for_each(|(t, &v)| *t += scale * v);
}

impl FoldIn {
    /// Folds `history` into `model` (builds `YᵀY + λI` first: prefer [`FoldIn::with_gram`]
    /// when folding in many histories).
    ///
    /// # Errors
    /// As [`FoldIn::with_gram`].
    pub fn new(model: &AlsModel, history: History<'_>) -> Result<Self> {
        Self::with_gram(model, &item_gram(model), history)
    }

    /// Folds `history` into `model` given its [`item_gram`]: `A_u` is the gram plus
    /// `(alpha·|v_j| − 1)·y_j y_jᵀ` per history item (lower triangle only), factored once.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a gram that is not `k × k` or history slices of
    /// different lengths; [`Error::IndexOutOfRange`] for an item outside the model;
    /// [`Error::NonFinite`] for a bad value; [`Error::FitFailed`] if `A_u` is not positive
    /// definite (zero regularisation only).
    pub fn with_gram(model: &AlsModel, gram: &[f64], history: History<'_>) -> Result<Self> {
        let k = model.factors();
        if gram.len() != k * k {
            return Err(Error::DimensionMismatch {
                context: "fold-in gram (k × k values)".into(),
                expected: k * k,
                got: gram.len(),
            });
        }
        if history.items.len() != history.values.len() {
            return Err(Error::DimensionMismatch {
                context: "history items vs values".into(),
                expected: history.items.len(),
                got: history.values.len(),
            });
        }
        // Compiled for AVX2 where the CPU has it (the helpers are inlined into the closure).
        pulp::Arch::new().dispatch(FoldOp {
            model,
            gram,
            history,
        })
    }

    #[inline(always)]
    fn fold(model: &AlsModel, gram: &[f64], history: History<'_>) -> Result<Self> {
        let k = model.factors();
        let alpha = f64::from(model.alpha());
        let mut system = gram.to_vec();
        let mut positives = Vec::new();
        let mut b = vec![0.0f64; k];
        let mut y = vec![0.0f64; k];
        for (&j, &value) in history.items.iter().zip(history.values) {
            crate::error::ensure_finite(f64::from(value), || format!("history value of item {j}"))?;
            let factors = model.item_vector(j)?;
            y.iter_mut()
                .zip(factors)
                .for_each(|(d, &v)| *d = f64::from(v));
            let extra = alpha * f64::from(value.abs()) - 1.0;
            if extra != 0.0 {
                for a in 0..k {
                    axpy(&mut system[a * k..a * k + a + 1], extra * y[a], &y[..=a]);
                }
            }
            if value > 0.0 {
                let confidence = alpha * f64::from(value);
                axpy(&mut b, confidence, &y);
                positives.push((j, confidence));
            }
        }
        if !cholesky_factor(&mut system, k) {
            return Err(Error::FitFailed {
                reason: "fold-in: A_u is not positive definite".into(),
            });
        }
        let mut upper = vec![0.0f64; k * k];
        for i in 0..k {
            for p in 0..=i {
                upper[p * k + i] = system[i * k + p];
            }
        }
        cholesky_solve(&system, &upper, &mut b, k);
        let user = b.iter().map(|&v| v as f32).collect();
        Ok(Self {
            k,
            factor: system,
            upper,
            user,
            positives,
        })
    }

    /// The folded-in user vector `x_u`.
    pub fn user_vector(&self) -> &[f32] {
        &self.user
    }

    /// Whether the history has positive evidence (otherwise every score is 0).
    pub fn has_positives(&self) -> bool {
        !self.positives.is_empty()
    }

    /// `(history item, c_uj · y_iᵀ A_u⁻¹ y_j)` for every positive history item `j`, in
    /// history order; they sum to `y_iᵀ x_u`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfRange`] for an item outside the model.
    pub fn contributions(&self, model: &AlsModel, item: u32) -> Result<Vec<(u32, f64)>> {
        self.contributions_of(model, model.item_vector(item)?)
    }

    /// [`FoldIn::contributions`] for any item vector `y` (e.g. the estimated factors of an item
    /// ALS never saw): they sum to `yᵀ x_u`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `y` is not `k` long.
    pub fn contributions_of(&self, model: &AlsModel, y: &[f32]) -> Result<Vec<(u32, f64)>> {
        if y.len() != self.k {
            return Err(Error::DimensionMismatch {
                context: "item vector".into(),
                expected: self.k,
                got: y.len(),
            });
        }
        let mut weighted: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        cholesky_solve(&self.factor, &self.upper, &mut weighted, self.k);
        let weighted: Vec<f32> = weighted.iter().map(|&w| w as f32).collect();
        self.positives
            .iter()
            .map(|&(j, confidence)| {
                let yj = model.item_vector(j)?;
                Ok((j, confidence * f64::from(dot_f32(&weighted, yj))))
            })
            .collect()
    }
}

/// [`dot`] of `f64` slices.
#[inline(always)]
fn dot_f64(a: &[f64], b: &[f64]) -> f64 {
    dot(a, b)
}

/// In-place lower Cholesky factor of a symmetric row-major `k × k` matrix (only the lower
/// triangle is read; the upper one is left as is); false if it is not positive definite.
#[inline(always)]
fn cholesky_factor(a: &mut [f64], k: usize) -> bool {
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

/// Solves `L Lᵀ z = b` in place with the factor of [`cholesky_factor`] and its transpose.
#[inline(always)]
fn cholesky_solve(lower: &[f64], upper: &[f64], b: &mut [f64], k: usize) {
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
    use crate::data::Interactions;
    use crate::models::als::{AlsConfig, Solver};

    #[test]
    fn decomposition_sums_to_the_fold_in_score() {
        let m = Interactions::from_triplets(
            3,
            5,
            &[
                (0, 0, 4.0),
                (0, 1, 5.0),
                (1, 1, 1.0),
                (1, 2, 3.0),
                (2, 3, 2.0),
                (2, 4, 1.0),
            ],
        )
        .unwrap();
        let model = AlsConfig::new()
            .factors(3)
            .regularization(0.5)
            .solver(Solver::Cholesky)
            .fit(&m)
            .unwrap();
        let history = History::new(&[0, 2, 3], &[5.0, -1.0, 2.0]);
        let fold = FoldIn::new(&model, history).unwrap();
        let reference = model.recalculate_user(history).unwrap();
        for (a, b) in fold.user_vector().iter().zip(&reference) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        for item in 0..5 {
            let parts = fold.contributions(&model, item).unwrap();
            assert_eq!(parts.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 3]);
            let total: f64 = parts.iter().map(|p| p.1).sum();
            let y = model.item_vector(item).unwrap();
            let score: f32 = fold.user_vector().iter().zip(y).map(|(a, b)| a * b).sum();
            assert!((total - f64::from(score)).abs() < 1e-4);
        }
    }

    #[test]
    fn rendering_counts_roles_and_names_single_people() {
        let mut c = Catalog::new();
        let mut ids = IdMap::new();
        for id in ["fargo", "blood-simple", "short-cuts"] {
            ids.get_or_insert(id);
        }
        c.item_mut(0).unwrap().title = Some("Fargo".into());
        c.item_mut(0).unwrap().year = Some(1996);
        c.item_mut(1).unwrap().title = Some("Blood Simple".into());
        c.add_credit(0, "coen", None, Role::Director).unwrap();
        c.add_credit(1, "coen", None, Role::Director).unwrap();
        for a in ["a1", "a2"] {
            c.add_credit(0, a, None, Role::Actor).unwrap();
            c.add_credit(1, a, None, Role::Actor).unwrap();
        }
        let reason = shared_people(&ids, &c, 1, 0).unwrap();
        assert_eq!(
            render(std::slice::from_ref(&reason)),
            "Shares director and 2 cast members with Fargo (1996)"
        );
        let json = serde_json::to_value(&reason).unwrap();
        assert_eq!(json["kind"], "shared_people");
        assert_eq!(json["item"]["item_id"], "fargo");
        assert_eq!(json["roles"][0]["role"], "director");
        c.add_credit(2, "mcd", Some("Frances McDormand"), Role::Actor)
            .unwrap();
        c.add_credit(0, "mcd", Some("Frances McDormand"), Role::Actor)
            .unwrap();
        c.item_mut(2).unwrap().title = Some("Short Cuts".into());
        let reason = shared_people(&ids, &c, 2, 0).unwrap();
        assert_eq!(
            reason.phrase(),
            "Shares actor Frances McDormand with Fargo (1996)"
        );
        assert!(shared_people(&ids, &c, 2, 1).is_none());
        let popular = [
            Reason::PopularIn {
                genre: "Film-Noir".into(),
            },
            Reason::Popular,
        ];
        assert_eq!(
            render(&popular),
            "Popular in Film-Noir this month; Popular with everyone"
        );
    }
}
