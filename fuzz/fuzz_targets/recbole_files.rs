//! Feeds arbitrary bytes to the RecBole atomic-file readers (`recbole::read_item`, `read_inter`,
//! `read_kg` with its `.link`), checking every read with `common::read_step`: no panic, an error
//! names a real file and line and leaves the dataset untouched, a success leaves a dataset that
//! passes its invariant checks and round-trips through an artifact exactly.
//!
//! Input: `[mode] item \0 inter \0 link \0 kg`; a file cut off by the end of the input is
//! absent, as in `load_recbole_dir` (items first, then events, then the knowledge graph when
//! both `.link` and `.kg` are present). `mode & 1` starts from a dataset that already has
//! users, items, events and metadata instead of an empty one.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::{populated, read_step, split_files, Counts};
use libfuzzer_sys::fuzz_target;
use recsys_core::data::loaders::recbole;
use recsys_core::data::Dataset;

fuzz_target!(|data: &[u8]| {
    let Some((mode, [item, inter, link, kg])) = split_files::<4>(data) else {
        return;
    };
    let mut ds = if mode & 1 == 1 {
        populated()
    } else {
        Dataset::new()
    };
    if let Some(item) = item {
        read_step(&mut ds, &[("x.item", item)], Counts::Rows, |ds| {
            recbole::read_item(item, "x.item", ds)
        });
    }
    if let Some(inter) = inter {
        read_step(&mut ds, &[("x.inter", inter)], Counts::Events, |ds| {
            recbole::read_inter(inter, "x.inter", ds)
        });
    }
    if let (Some(link), Some(kg)) = (link, kg) {
        read_step(
            &mut ds,
            &[("x.kg", kg), ("x.link", link)],
            Counts::Rows,
            |ds| recbole::read_kg(kg, "x.kg", link, "x.link", ds),
        );
    }
});
