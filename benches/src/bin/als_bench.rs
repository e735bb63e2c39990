//! Fits implicit ALS on a CSR matrix exported as raw little-endian arrays, recommends the top-N
//! for every user with training items filtered, and reports wall times as one JSON line.
//!
//! Used by `scripts/compare_implicit.py`, which writes the inputs and scores the output:
//!
//! ```text
//! als_bench --dir DIR --users U --items I [--factors 64] [--iterations 15] [--cg-steps 3]
//!           [--cholesky] [--regularization 0.01] [--alpha 1] [--n 10] [--seed 42]
//!           [--recommend-users U2]
//! ```
//!
//! `DIR` holds `indptr.u64`, `indices.u32`, `data.f32` (the users × items training matrix);
//! the recommendations are written to `DIR/recs.u32` (users × n item indices, row-major,
//! `u32::MAX` where a user has fewer than n candidates). Threads: `RAYON_NUM_THREADS`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use recsys_core::data::Interactions;
use recsys_core::models::als::{AlsConfig, Solver};

struct Args {
    dir: PathBuf,
    users: usize,
    items: usize,
    n: usize,
    /// Recommend for the first this many users only (all by default).
    recommend_users: Option<usize>,
    config: AlsConfig,
}

fn parse_args() -> Result<Args, String> {
    let mut dir = None;
    let (mut users, mut items, mut n) = (None, None, 10usize);
    let mut recommend_users = None;
    let mut config = AlsConfig::new();
    let mut steps = 3usize;
    let mut cholesky = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--cholesky" {
            cholesky = true;
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(&value)),
            "--users" => users = Some(value.parse().map_err(|e| bad(&e))?),
            "--items" => items = Some(value.parse().map_err(|e| bad(&e))?),
            "--n" => n = value.parse().map_err(|e| bad(&e))?,
            "--recommend-users" => recommend_users = Some(value.parse().map_err(|e| bad(&e))?),
            "--factors" => config.factors = value.parse().map_err(|e| bad(&e))?,
            "--iterations" => config.iterations = value.parse().map_err(|e| bad(&e))?,
            "--cg-steps" => steps = value.parse().map_err(|e| bad(&e))?,
            "--regularization" => config.regularization = value.parse().map_err(|e| bad(&e))?,
            "--alpha" => config.alpha = value.parse().map_err(|e| bad(&e))?,
            "--seed" => config.seed = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    config.solver = if cholesky {
        Solver::Cholesky
    } else {
        Solver::ConjugateGradient { steps }
    };
    Ok(Args {
        dir: dir.ok_or("--dir is required")?,
        users: users.ok_or("--users is required")?,
        items: items.ok_or("--items is required")?,
        n,
        recommend_users,
        config,
    })
}

fn read_array<T>(path: &Path, width: usize, decode: fn(&[u8]) -> T) -> Result<Vec<T>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() % width != 0 {
        return Err(format!(
            "{}: size is not a multiple of {width}",
            path.display()
        ));
    }
    Ok(bytes.chunks_exact(width).map(decode).collect())
}

/// CPU seconds (user + system, all threads) this process has used so far, from
/// `/proc/self/stat` (Linux; `NaN` elsewhere). Wall time on a shared machine can hide how
/// much work was done: the two together tell whether a run was disturbed.
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let Some(rest) = stat.rsplit(')').next() else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        // The kernel reports clock ticks, 100 per second on every mainstream Linux build.
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let t0 = Instant::now();
    let indptr: Vec<usize> = read_array(&args.dir.join("indptr.u64"), 8, |b| {
        u64::from_le_bytes(b.try_into().unwrap_or_default()) as usize
    })?;
    let indices: Vec<u32> = read_array(&args.dir.join("indices.u32"), 4, |b| {
        u32::from_le_bytes(b.try_into().unwrap_or_default())
    })?;
    let data: Vec<f32> = read_array(&args.dir.join("data.f32"), 4, |b| {
        f32::from_le_bytes(b.try_into().unwrap_or_default())
    })?;
    let matrix = Interactions::from_csr(args.users, args.items, &indptr, &indices, &data)
        .map_err(|e| e.to_string())?;
    let load_s = t0.elapsed().as_secs_f64();

    let (t0, c0) = (Instant::now(), process_cpu_seconds());
    let model = args.config.fit(&matrix).map_err(|e| e.to_string())?;
    let (fit_s, fit_cpu_s) = (t0.elapsed().as_secs_f64(), process_cpu_seconds() - c0);

    let n_recommend = args.recommend_users.unwrap_or(args.users).min(args.users);
    let users: Vec<u32> = (0..n_recommend as u32).collect();
    let histories = if n_recommend == args.users {
        matrix.clone()
    } else {
        let end = indptr[n_recommend];
        Interactions::from_csr(
            n_recommend,
            args.items,
            &indptr[..=n_recommend],
            &indices[..end],
            &data[..end],
        )
        .map_err(|e| e.to_string())?
    };
    let (t0, c0) = (Instant::now(), process_cpu_seconds());
    let recs = model
        .recommend_batch(&users, &histories, args.n, true)
        .map_err(|e| e.to_string())?;
    let (recommend_s, recommend_cpu_s) = (t0.elapsed().as_secs_f64(), process_cpu_seconds() - c0);

    let mut out = Vec::with_capacity(args.users * args.n * 4);
    for row in &recs {
        for slot in 0..args.n {
            let item = row.get(slot).map_or(u32::MAX, |s| s.item);
            out.extend_from_slice(&item.to_le_bytes());
        }
    }
    let path = args.dir.join("recs.u32");
    std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "{{\"load_s\": {load_s:.4}, \"fit_s\": {fit_s:.4}, \"fit_cpu_s\": {fit_cpu_s:.2}, \
         \"per_iter_s\": {:.4}, \"recommend_s\": {recommend_s:.4}, \
         \"recommend_cpu_s\": {recommend_cpu_s:.2}, \"rayon_threads\": \"{}\"}}",
        fit_s / args.config.iterations as f64,
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all cores".into())
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("als_bench: {message}");
            ExitCode::FAILURE
        }
    }
}
