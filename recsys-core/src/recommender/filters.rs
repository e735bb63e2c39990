//! Turning [`Filters`] and the history's exclusions into one allowed-item mask.

use crate::data::{Catalog, IdMap, ItemInfo};

use super::query::Filters;

/// The items a request may return: `allowed[i]` is true when every filter holds for `i`.
/// Unknown ids in the filters are appended to `unknown`. `genre_flags[i]`, when given, says
/// whether item `i` has one of the filter genres (precomputed from the recommender's genre
/// index; otherwise the item's genres are compared by name).
pub(crate) struct Mask {
    pub allowed: Vec<bool>,
}

impl Mask {
    pub(crate) fn new(
        items: &IdMap,
        catalog: &Catalog,
        filters: &Filters,
        genre_flags: Option<&[bool]>,
        seen: &[u32],
        disliked: &[u32],
        unknown: &mut Vec<String>,
    ) -> Self {
        let n = items.len();
        let mut allowed = match &filters.candidates {
            Some(ids) => {
                let mut allowed = vec![false; n];
                for index in resolve(items, ids, unknown) {
                    allowed[index as usize] = true;
                }
                allowed
            }
            None => vec![true; n],
        };
        for index in resolve(items, &filters.exclude, unknown) {
            allowed[index as usize] = false;
        }
        if filters.exclude_seen {
            seen.iter().for_each(|&i| allowed[i as usize] = false);
        }
        if filters.exclude_disliked {
            disliked.iter().for_each(|&i| allowed[i as usize] = false);
        }
        let people: Vec<u32> = filters
            .people
            .iter()
            .filter_map(|id| {
                let person = catalog.person_index(id);
                if person.is_none() {
                    unknown.push(id.clone());
                }
                person
            })
            .collect();
        let content_filtered = filters.filters_content();
        if content_filtered {
            for (index, ok) in allowed.iter_mut().enumerate() {
                if *ok {
                    *ok = catalog.item(index as u32).is_some_and(|info| {
                        let genre_ok = match genre_flags {
                            Some(flags) => flags.get(index).copied().unwrap_or(false),
                            None => passes_genres(info, filters),
                        };
                        genre_ok && passes_rest(info, filters, &people)
                    });
                }
            }
        }
        Self { allowed }
    }
}

/// Whether an item has one of the filter genres (or no genre filter is set).
fn passes_genres(info: &ItemInfo, filters: &Filters) -> bool {
    filters.genres.is_empty() || filters.genres.iter().any(|g| info.has_genre(g))
}

/// Whether an item passes the year, tag and people filters.
fn passes_rest(info: &ItemInfo, filters: &Filters, people: &[u32]) -> bool {
    let (from, to) = (filters.min_year, filters.max_year);
    if (from.is_some() || to.is_some())
        && !info
            .year
            .is_some_and(|y| from.is_none_or(|f| y >= f) && to.is_none_or(|t| y <= t))
    {
        return false;
    }
    if !filters.tags.is_empty()
        && !filters
            .tags
            .iter()
            .any(|t| info.tags.iter().any(|tag| tag.text.eq_ignore_ascii_case(t)))
    {
        return false;
    }
    if !filters.people.is_empty() && !info.credits.iter().any(|c| people.contains(&c.person)) {
        return false;
    }
    true
}

/// Indices of the known ids; unknown ids go to `unknown`.
fn resolve<'a>(
    items: &'a IdMap,
    ids: &'a [String],
    unknown: &'a mut Vec<String>,
) -> impl Iterator<Item = u32> + 'a {
    ids.iter().filter_map(move |id| {
        let index = items.index_of(id);
        if index.is_none() {
            unknown.push(id.clone());
        }
        index
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Role;

    #[test]
    fn every_filter_restricts_and_unknown_ids_are_reported() {
        let mut items = IdMap::new();
        let mut catalog = Catalog::new();
        for (i, (id, genre, year)) in [
            ("a", "Crime", 1990),
            ("b", "Comedy", 2000),
            ("c", "Crime", 2010),
        ]
        .into_iter()
        .enumerate()
        {
            items.get_or_insert(id);
            catalog.item_mut(i as u32).unwrap().add_genre(genre);
            catalog.item_mut(i as u32).unwrap().year = Some(year);
        }
        catalog.add_credit(2, "p1", None, Role::Director).unwrap();
        let mut unknown = Vec::new();
        let filters = Filters {
            genres: vec!["crime".into()],
            ..Filters::default()
        };
        let mask = Mask::new(&items, &catalog, &filters, None, &[], &[], &mut unknown);
        assert_eq!(mask.allowed, [true, false, true]);
        let filters = Filters {
            min_year: Some(1995),
            max_year: Some(2020),
            exclude: vec!["b".into(), "zz".into()],
            ..Filters::default()
        };
        let mask = Mask::new(&items, &catalog, &filters, None, &[], &[], &mut unknown);
        assert_eq!(mask.allowed, [false, false, true]);
        assert_eq!(unknown, ["zz"]);
        let filters = Filters {
            people: vec!["p1".into()],
            candidates: Some(vec!["a".into(), "c".into()]),
            ..Filters::default()
        };
        let mask = Mask::new(&items, &catalog, &filters, None, &[2], &[], &mut unknown);
        assert_eq!(mask.allowed, [false, false, false]);
        let filters = Filters {
            exclude_seen: false,
            ..filters
        };
        let mask = Mask::new(&items, &catalog, &filters, None, &[2], &[0], &mut unknown);
        assert_eq!(mask.allowed, [false, false, true]);
    }
}
