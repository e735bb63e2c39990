//! Feeds arbitrary bytes to the request boundary every consumer shares: the input is split at
//! the first NUL byte into a history document and a query document, both read as JSON (what
//! the server, Python and the browser send), and a request that parses is answered by a small
//! trained recommender, along with `explain_item` and `predict_rating` for the query's first
//! candidate. Parsing and answering must return `Ok` or `Err`, never panic, and an answer
//! must keep the documented promises: at most `n` items, known ids only, no duplicates,
//! unknown ids sorted and deduplicated, finite scores, reasons on every item.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use recsys_core::data::{Dataset, Feedback, Role};
use recsys_core::models::als::AlsConfig;
use recsys_core::recommender::{Query, Recommender, RecommenderBuilder, UserHistory};

const GENRES: [&str; 3] = ["Crime", "Comedy", "Sci-Fi"];

fn recommender() -> &'static Recommender {
    static RECOMMENDER: OnceLock<Recommender> = OnceLock::new();
    RECOMMENDER.get_or_init(|| {
        let mut ds = Dataset::new();
        for i in 0..12 {
            let id = format!("m{i}");
            let item = ds
                .item(&id)
                .title(&format!("Movie {i}"))
                .year(1990 + i)
                .genre(GENRES[i as usize % 3])
                .credit(&format!("p{}", i % 4), Some("Someone"), Role::Director);
            if i % 2 == 0 {
                item.tag("classic");
            }
        }
        for user in 0..20 {
            for i in 0..11 {
                if (user + i) % 3 != 0 {
                    let stars = 1.0 + ((user * 7 + i * 3) % 5) as f32;
                    let event = (format!("u{user}"), format!("m{i}"), Feedback::Rating(stars));
                    ds.add_event(&event.0, &event.1, event.2, i64::from(user * 20 + i))
                        .expect("valid event");
                }
            }
        }
        RecommenderBuilder::new()
            .als(AlsConfig::new().factors(4).regularization(1.0).iterations(4))
            .fit(&ds)
            .expect("fits")
    })
}

fuzz_target!(|data: &[u8]| {
    let rec = recommender();
    let (history_text, query_text) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b"{}"[..]),
    };
    let Ok(history) = serde_json::from_slice::<UserHistory>(history_text) else {
        return;
    };
    let Ok(query) = serde_json::from_slice::<Query>(query_text) else {
        return;
    };
    if let Ok(answer) = rec.recommend(&history, &query) {
        assert!(answer.items.len() <= query.n);
        let mut ids: Vec<&str> = answer.items.iter().map(|r| r.item_id.as_str()).collect();
        assert!(ids.iter().all(|id| rec.contains(id)));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), answer.items.len(), "an item came back twice");
        assert!(answer.unknown_ids.windows(2).all(|w| w[0] < w[1]));
        for r in &answer.items {
            assert!(r.score.is_finite() && !r.reasons.is_empty());
            let _ = r.sentence();
        }
        // The answer survives its own JSON round trip (what a client of the server reads).
        let text = serde_json::to_string(&answer).expect("serialises");
        let _: recsys_core::recommender::Recommendations =
            serde_json::from_str(&text).expect("reads back");
    } else {
        // A refused request is refused again: no hidden state.
        assert!(rec.recommend(&history, &query).is_err());
    }
    let target = query
        .filters
        .candidates
        .as_ref()
        .and_then(|c| c.first().cloned())
        .unwrap_or_else(|| "m3".to_string());
    if let Ok(why) = rec.explain_item(&history, &target) {
        assert_eq!(why.item_id, target);
        assert!(why.explanation.is_some());
    }
    if let Ok(stars) = rec.predict_rating(&history, &target) {
        assert!(stars.is_finite());
    }
});
