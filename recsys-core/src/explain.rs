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
//! `score(u, i) = y_iᵀ x_u = Σ_j c_uj · y_iᵀ A_u⁻¹ y_j`. The maths is
//! [`models::als::FoldIn`](crate::models::als::FoldIn) (re-exported here as [`FoldIn`]); this
//! module turns its contributions into reasons and sentences.
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
/// The ALS fold-in and its exact decomposition live with the model; re-exported here for the
/// paths that named them first.
pub use crate::models::als::{item_gram, FoldIn};

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

/// A history item a reason cites, with its share of the recommended item's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CitedItem {
    /// The cited item.
    #[serde(flatten)]
    pub item: ItemRef,
    /// Its fraction of the score, in `[0, 1]` (largest first): for For You, its part of the
    /// blended score over the score's positive mass (the positive parts of every history item
    /// and a positive popularity part; see
    /// [`Collaborative::parts`](crate::recommender::Collaborative::parts)), so the shares of a
    /// reason sum to at most 1; 1 for the item a list is built around.
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
    /// The collaborative score comes from these history items, which the user liked (a like
    /// or a rating of at least [`FeedbackPolicy::liked_rating`](crate::data::FeedbackPolicy::liked_rating)),
    /// with each one's share of the item's score (its ALS, item-kNN, EASE and content parts
    /// together; largest first).
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
    /// The item is popular lately (time-decayed popularity): events `window_days` before
    /// `until` count half as much as events at `until`, the latest event of the training data
    /// (the data's clock, not the wall clock).
    Trending {
        /// The decay's half-life in days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window_days: Option<f32>,
        /// The reference time, seconds since the epoch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<i64>,
    },
    /// The item is popular within a genre lately (the same window as [`Reason::Trending`]).
    PopularIn {
        /// The genre.
        genre: String,
        /// The decay's half-life in days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window_days: Option<f32>,
        /// The reference time, seconds since the epoch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<i64>,
    },
    /// The item is popular overall.
    Popular,
    /// The item has no interactions yet; it was chosen for its content.
    NewArrival,
    /// The collaborative score comes from these history items, which the user watched
    /// (without rating or liking them).
    BecauseYouWatched {
        /// History items and their shares.
        items: Vec<CitedItem>,
    },
    /// The collaborative score comes from these items on the user's watchlist.
    OnYourWatchlist {
        /// History items and their shares.
        items: Vec<CitedItem>,
    },
    /// The item meets what a discovery query asked for
    /// ([`Recommender::discover`](crate::recommender::Recommender::discover)).
    MatchesQuery {
        /// The query's words the item matches, as written: genres and their synonyms, moods
        /// its genres fit, people it credits, words of its title, tags or text.
        terms: Vec<String>,
        /// The query's release period the item falls in (`"1990s"`, `"before 1980"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period: Option<String>,
    },
    /// Nothing in the history or the favourites scores the item up (e.g. "Why this movie?"
    /// for an item far down the list).
    WeakMatch,
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
            Reason::Trending { window_days, until } => {
                format!("Trending{}", window_phrase(*window_days, *until))
            }
            Reason::PopularIn {
                genre,
                window_days,
                until,
            } => format!("Popular in {genre}{}", window_phrase(*window_days, *until)),
            Reason::Popular => "Popular with everyone".to_string(),
            Reason::NewArrival => "New in the catalogue".to_string(),
            Reason::BecauseYouWatched { items } => {
                let titles: Vec<String> = items.iter().map(|c| c.item.display()).collect();
                format!("Because you watched {}", join_and(&titles))
            }
            Reason::OnYourWatchlist { items } => {
                let titles: Vec<String> = items.iter().map(|c| c.item.display()).collect();
                let verb = if titles.len() == 1 { "is" } else { "are" };
                format!("Because {} {verb} on your watchlist", join_and(&titles))
            }
            Reason::WeakMatch => "Little in your history points to it".to_string(),
            Reason::MatchesQuery { terms, period } => {
                let mut parts: Vec<String> = terms.iter().map(|t| format!("'{t}'")).collect();
                parts.extend(period.iter().cloned());
                format!("Matches {}", parts.join(", "))
            }
        }
    }
}

/// " over the 60 days to 22 Apr 1998", or " lately" without a window.
fn window_phrase(window_days: Option<f32>, until: Option<i64>) -> String {
    match (window_days, until) {
        (Some(days), Some(until)) if days.is_finite() && days > 0.0 => {
            format!(" over the {} to {}", days_phrase(days), civil_date(until))
        }
        (Some(days), None) if days.is_finite() && days > 0.0 => {
            format!(" over the last {}", days_phrase(days))
        }
        (_, Some(until)) => format!(" up to {}", civil_date(until)),
        _ => " lately".to_string(),
    }
}

fn days_phrase(days: f32) -> String {
    if (days - 1.0).abs() < 0.05 {
        "day".to_string()
    } else if (days - days.round()).abs() < 0.05 {
        format!("{} days", days.round())
    } else {
        format!("{days:.1} days")
    }
}

/// "22 Apr 1998" for seconds since the epoch (UTC; proleptic Gregorian calendar).
fn civil_date(seconds: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{day} {} {year}", MONTHS[(month - 1) as usize])
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

#[cfg(test)]
mod tests {
    use super::*;

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
                window_days: Some(60.0),
                until: Some(893_286_638),
            },
            Reason::Popular,
        ];
        assert_eq!(
            render(&popular),
            "Popular in Film-Noir over the 60 days to 22 Apr 1998; Popular with everyone"
        );
        let json: Reason = serde_json::from_str(r#"{"kind": "trending"}"#).unwrap();
        assert_eq!(json.phrase(), "Trending lately");
    }
}
