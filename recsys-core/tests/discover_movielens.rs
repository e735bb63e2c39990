//! Natural-language discovery on the real MovieLens-100K, against a query set written and
//! labelled by hand for this project (`tests/fixtures/discover/queries.json`, 48 queries):
//! how many of the expected constraints the parser reads (recall) and how many of those it
//! reads are expected (precision), and titles that must or must not be in a visitor's top 10.
//!
//! `cargo test --release -p recsys-core --test discover_movielens -- --nocapture` prints the
//! figures and every query's results.

use std::collections::BTreeSet;

use recsys_core::data::Feedback;
use recsys_core::models::als::AlsConfig;
use recsys_core::recommender::{
    Discovery, DiscoveryQuery, Recommender, RecommenderBuilder, UserHistory, YearRange,
};
use serde_json::Value;

mod common;

/// Constraint atoms as the labels write them: `genre:Sci-Fi`, `years:1990..1999`, ….
fn atoms_of(query: &DiscoveryQuery) -> BTreeSet<String> {
    let range = |r: &YearRange| {
        let end = |y: Option<i32>| y.map_or(String::new(), |y| y.to_string());
        format!("{}..{}", end(r.from), end(r.to))
    };
    let mut atoms = BTreeSet::new();
    atoms.extend(query.genres.iter().map(|g| format!("genre:{g}")));
    atoms.extend(
        query
            .excluded_genres
            .iter()
            .map(|g| format!("not_genre:{g}")),
    );
    atoms.extend(query.years.iter().map(|r| format!("years:{}", range(r))));
    atoms.extend(
        query
            .excluded_years
            .iter()
            .map(|r| format!("not_years:{}", range(r))),
    );
    atoms.extend(query.like.iter().map(|i| format!("like:{}", i.display())));
    atoms.extend(
        query
            .excluded_like
            .iter()
            .map(|i| format!("not_like:{}", i.display())),
    );
    atoms.extend(query.moods.iter().map(|m| format!("mood:{m}")));
    atoms.extend(query.words.iter().map(|w| format!("word:{w}")));
    atoms.extend(
        query
            .unmatched_words
            .iter()
            .map(|w| format!("unmatched:{w}")),
    );
    atoms.extend(query.people.iter().map(|p| format!("person:{}", p.name)));
    if query.any_genre {
        atoms.insert("any_genre".into());
    }
    atoms
}

fn expected_atoms(expect: &Value) -> BTreeSet<String> {
    let strings = |key: &str| -> Vec<String> {
        expect[key]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let ranges = |key: &str| -> Vec<String> {
        expect[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|r| {
                        let end = |v: &Value| v.as_i64().map_or(String::new(), |y| y.to_string());
                        format!("{}..{}", end(&r[0]), end(&r[1]))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut atoms = BTreeSet::new();
    atoms.extend(strings("genres").into_iter().map(|g| format!("genre:{g}")));
    atoms.extend(
        strings("excluded_genres")
            .into_iter()
            .map(|g| format!("not_genre:{g}")),
    );
    atoms.extend(ranges("years").into_iter().map(|r| format!("years:{r}")));
    atoms.extend(
        ranges("excluded_years")
            .into_iter()
            .map(|r| format!("not_years:{r}")),
    );
    atoms.extend(strings("like").into_iter().map(|t| format!("like:{t}")));
    atoms.extend(strings("moods").into_iter().map(|m| format!("mood:{m}")));
    atoms.extend(strings("words").into_iter().map(|w| format!("word:{w}")));
    atoms.extend(
        strings("unmatched")
            .into_iter()
            .map(|w| format!("unmatched:{w}")),
    );
    if expect["any_genre"].as_bool() == Some(true) {
        atoms.insert("any_genre".into());
    }
    atoms
}

fn recommender() -> (Recommender, common::MovieLens) {
    let movielens = common::movielens();
    let recommender = RecommenderBuilder::new()
        .als(AlsConfig::new().factors(32).iterations(10).seed(7))
        .fit(&movielens.dataset)
        .expect("fits");
    (recommender, movielens)
}

fn titles(found: &Discovery) -> Vec<String> {
    found.items.iter().map(|r| r.item().display()).collect()
}

#[test]
fn labelled_queries_read_their_constraints_and_find_their_titles() {
    let (recommender, _) = recommender();
    let labels: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/discover/queries.json"
        ))
        .expect("the query set is readable"),
    )
    .expect("the query set is JSON");
    let queries = labels["queries"].as_array().expect("a list of queries");
    assert!(queries.len() >= 40);
    let visitor = UserHistory::new();
    let (mut true_positives, mut read, mut expected) = (0usize, 0usize, 0usize);
    let (mut must, mut must_found, mut must_not, mut must_not_found) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for query in queries {
        let text = query["q"].as_str().unwrap();
        let found = recommender.discover(&visitor, text, 10).expect("discovers");
        let got = atoms_of(&found.query);
        let want = expected_atoms(&query["expect"]);
        true_positives += got.intersection(&want).count();
        read += got.len();
        expected += want.len();
        if got != want {
            failures.push(format!("{text:?}: read {got:?}, expected {want:?}"));
        }
        let top = titles(&found);
        for title in query["must"].as_array().unwrap() {
            must += 1;
            if top.iter().any(|t| t == title.as_str().unwrap()) {
                must_found += 1;
            } else {
                failures.push(format!("{text:?}: {title} missing from {top:?}"));
            }
        }
        for title in query["must_not"].as_array().unwrap() {
            must_not += 1;
            if top.iter().any(|t| t == title.as_str().unwrap()) {
                must_not_found += 1;
                failures.push(format!("{text:?}: {title} must not be in {top:?}"));
            }
        }
        println!("{text:?}");
        for item in found.items.iter().take(5) {
            println!("    {} — {}", item.item().display(), item.sentence());
        }
        // Every result is explained, and its reasons are faithful to the hard constraints.
        for item in &found.items {
            assert!(!item.reasons.is_empty() && item.explanation.is_some());
            let view = recommender.item(&item.item_id).unwrap();
            for genre in &found.query.excluded_genres {
                assert!(
                    !view.genres.contains(genre),
                    "{text:?}: {} has {genre}",
                    view.item_id
                );
            }
            if let Some(year) = view.year {
                assert!(found.query.excluded_years.iter().all(|r| !r.contains(year)));
                assert!(
                    found.query.years.is_empty()
                        || found.query.years.iter().any(|r| r.contains(year))
                );
            }
        }
    }
    let precision = true_positives as f64 / read.max(1) as f64;
    let recall = true_positives as f64 / expected.max(1) as f64;
    println!(
        "{} queries: constraint precision {precision:.3}, recall {recall:.3} ({true_positives} of \
         {read} read, {expected} expected); must-appear {must_found}/{must}, must-not-appear \
         violated {must_not_found}/{must_not}",
        queries.len()
    );
    for failure in &failures {
        println!("  {failure}");
    }
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision:.3}, recall {recall:.3}"
    );
    assert_eq!(must_not_found, 0, "{failures:#?}");
    assert!(must_found as f64 >= 0.85 * must as f64, "{failures:#?}");
}

#[test]
fn a_history_moves_discovery_towards_the_user() {
    let (recommender, movielens) = recommender();
    // A user who likes the Star Trek films gets other sci-fi than a visitor does.
    let mut trekkie = UserHistory::new();
    for title in [
        "Star Trek: First Contact",
        "Star Trek: The Wrath of Khan",
        "Star Trek IV: The Voyage Home",
    ] {
        let item = movielens
            .dataset
            .catalog()
            .find_title(title)
            .expect("in the catalogue");
        let id = movielens.dataset.items.id_of(item).unwrap();
        trekkie.push(id, Feedback::Like, 1);
    }
    let visitor = recommender
        .discover(&UserHistory::new(), "sci-fi from the 80s", 10)
        .unwrap();
    let fan = recommender
        .discover(&trekkie, "sci-fi from the 80s", 10)
        .unwrap();
    assert_ne!(titles(&visitor), titles(&fan));
    // Among the films the fan has not seen, more Star Trek for the fan than for a visitor.
    let unseen_treks = |found: &Discovery| {
        titles(found)
            .iter()
            .filter(|t| {
                t.starts_with("Star Trek") && !t.contains("Khan") && !t.contains("Voyage Home")
            })
            .count()
    };
    assert!(
        unseen_treks(&fan) > unseen_treks(&visitor),
        "{:?} vs {:?}",
        titles(&fan),
        titles(&visitor)
    );
    // Results the history scored up cite the liked films; liked films are not offered again.
    assert!(fan
        .items
        .iter()
        .any(|r| r.sentence().contains("Because you liked Star Trek")));
    assert!(titles(&fan)
        .iter()
        .all(|t| !t.contains("Khan") && !t.contains("Voyage Home")));
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let (recommender, _) = recommender();
    let visitor = UserHistory::new();
    assert!(recommender.discover(&visitor, "sci-fi", 1001).is_err());
    assert!(recommender
        .discover(&visitor, &"a".repeat(2000), 10)
        .is_err());
    let nan = UserHistory::new().with("1", Feedback::Rating(f32::NAN), 0);
    assert!(recommender.discover(&nan, "sci-fi", 10).is_err());
    for odd in [
        "",
        "   ",
        "not",
        "like",
        "between 1990 and",
        "before",
        "🙂🙂",
        "-- '' &&",
        "from the 3000s",
    ] {
        let found = recommender
            .discover(&visitor, odd, 5)
            .expect("odd text is not an error");
        assert!(found.items.len() <= 5);
    }
    let found = recommender
        .discover(
            &UserHistory::new().with("nope", Feedback::Like, 0),
            "drama",
            3,
        )
        .unwrap();
    assert_eq!(found.unknown_ids, ["nope"]);
}
