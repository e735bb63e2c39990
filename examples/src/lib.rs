//! Shared helpers for the example programs: a small `--flag value` parser, a reader for the
//! evaluation CSV files, and one place that turns flags into models.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as StdError;
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;

use recsys_core::data::{Dataset, Feedback, FeedbackPolicy, IdMap, Interactions};
use recsys_core::eval::split::{ratings_from_events, Rating};
use recsys_core::models::als::AlsConfig;
use recsys_core::models::knn::ItemKnnConfig;
use recsys_core::models::mf::MfConfig;
use recsys_core::models::popularity::{PopularityConfig, PopularityWeighting};
use recsys_core::models::ItemScorer;

/// Errors of the example programs (any error, shown to the user).
pub type AnyResult<T> = Result<T, Box<dyn StdError + Send + Sync>>;

/// A command-line usage error.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for UsageError {}

fn usage(message: impl Into<String>) -> Box<dyn StdError + Send + Sync> {
    Box::new(UsageError(message.into()))
}

/// `--name value` / `--name=value` arguments. Every flag must be read with [`Args::get`] (or
/// [`Args::flag`]) before [`Args::finish`], which rejects flags nobody asked for (typos).
#[derive(Debug, Default)]
pub struct Args {
    values: BTreeMap<String, String>,
    used: Mutex<BTreeSet<String>>,
}

impl Args {
    /// Parses arguments (without the program name). `--help` / `-h` becomes the flag `help`.
    pub fn parse(args: impl IntoIterator<Item = String>) -> AnyResult<Self> {
        let mut values = BTreeMap::new();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            if arg == "-h" || arg == "--help" {
                values.insert("help".to_owned(), "true".to_owned());
                continue;
            }
            let Some(name) = arg.strip_prefix("--") else {
                return Err(usage(format!(
                    "unexpected argument {arg:?} (flags are --name value)"
                )));
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => match args.peek() {
                    Some(next) if !next.starts_with("--") => {
                        (name.to_owned(), args.next().unwrap_or_default())
                    }
                    _ => (name.to_owned(), "true".to_owned()),
                },
            };
            values.insert(name, value);
        }
        Ok(Self {
            values,
            used: Mutex::new(BTreeSet::new()),
        })
    }

    fn mark(&self, name: &str) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(name.to_owned());
        }
    }

    /// The value of `--name`, parsed, if given.
    pub fn get<T: FromStr>(&self, name: &str) -> AnyResult<Option<T>>
    where
        T::Err: fmt::Display,
    {
        self.mark(name);
        match self.values.get(name) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|e| usage(format!("--{name} {v:?}: {e}"))),
        }
    }

    /// The value of `--name`, or an error saying it is required.
    pub fn require<T: FromStr>(&self, name: &str) -> AnyResult<T>
    where
        T::Err: fmt::Display,
    {
        self.get(name)?
            .ok_or_else(|| usage(format!("--{name} is required")))
    }

    /// Whether the boolean flag `--name` is set.
    pub fn flag(&self, name: &str) -> AnyResult<bool> {
        Ok(self.get::<bool>(name)?.unwrap_or(false))
    }

    /// Rejects flags that were never read.
    pub fn finish(&self) -> AnyResult<()> {
        let used = self
            .used
            .lock()
            .map_err(|_| usage("argument state poisoned"))?;
        let unknown: Vec<&String> = self.values.keys().filter(|k| !used.contains(*k)).collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(usage(format!("unknown flag(s): {unknown:?} (see --help)")))
        }
    }
}

/// One row of an evaluation CSV (`user_id,item_id,rating,timestamp[,fold]`).
#[derive(Clone, Debug, PartialEq)]
pub struct CsvRating {
    /// External user id.
    pub user: String,
    /// External item id.
    pub item: String,
    /// The rating.
    pub rating: f32,
    /// Seconds since the epoch.
    pub timestamp: i64,
    /// The fold, when the file has a `fold` column.
    pub fold: Option<usize>,
}

/// Reads a comma-separated ratings file with a header naming at least `user_id`, `item_id` and
/// `rating` (`timestamp` and `fold` are optional).
pub fn read_ratings_csv(path: &Path) -> AnyResult<Vec<CsvRating>> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = BufReader::new(file).lines();
    let header = lines
        .next()
        .ok_or_else(|| format!("{}: empty file", path.display()))??;
    let columns: Vec<&str> = header.trim().split(',').map(str::trim).collect();
    let find = |name: &str| columns.iter().position(|c| *c == name);
    let need = |name: &str| {
        find(name).ok_or_else(|| format!("{}: header has no `{name}` column", path.display()))
    };
    let (user_col, item_col, rating_col) = (need("user_id")?, need("item_id")?, need("rating")?);
    let (time_col, fold_col) = (find("timestamp"), find("fold"));
    let mut rows = Vec::new();
    for (line_no, line) in lines.enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.trim().split(',').collect();
        let at = |col: usize| {
            fields.get(col).copied().ok_or_else(|| {
                format!(
                    "{}:{}: expected {} fields",
                    path.display(),
                    line_no + 2,
                    columns.len()
                )
            })
        };
        let bad =
            |what: &str, v: &str| format!("{}:{}: bad {what} {v:?}", path.display(), line_no + 2);
        let rating_text = at(rating_col)?;
        let rating: f32 = rating_text
            .parse()
            .map_err(|_| bad("rating", rating_text))?;
        if !rating.is_finite() {
            return Err(bad("rating", rating_text).into());
        }
        let timestamp = match time_col {
            Some(c) => at(c)?.parse().map_err(|_| bad("timestamp", fields[c]))?,
            None => 0,
        };
        let fold = match fold_col {
            Some(c) => Some(at(c)?.parse().map_err(|_| bad("fold", fields[c]))?),
            None => None,
        };
        rows.push(CsvRating {
            user: at(user_col)?.to_owned(),
            item: at(item_col)?.to_owned(),
            rating,
            timestamp,
            fold,
        });
    }
    Ok(rows)
}

/// Training data with dense ids: the events (as ratings) and the id maps.
#[derive(Clone, Debug, Default)]
pub struct TrainSet {
    /// Users, items and rating events.
    pub dataset: Dataset,
    /// The same events as dense-index ratings.
    pub ratings: Vec<Rating>,
}

impl TrainSet {
    /// Registers every row as a rating event.
    pub fn from_rows(rows: &[CsvRating]) -> AnyResult<Self> {
        let mut dataset = Dataset::new();
        for row in rows {
            dataset.add_event(
                &row.user,
                &row.item,
                Feedback::Rating(row.rating),
                row.timestamp,
            )?;
        }
        Ok(Self::from_dataset(dataset))
    }

    /// Takes the rating events of a dataset.
    pub fn from_dataset(dataset: Dataset) -> Self {
        let ratings = ratings_from_events(dataset.events());
        Self { dataset, ratings }
    }

    /// Dense ratings as `(user, item, rating)` triplets for explicit models.
    pub fn triplets(&self) -> Vec<(u32, u32, f32)> {
        self.ratings
            .iter()
            .map(|r| (r.user, r.item, r.value))
            .collect()
    }
}

/// The top-N models the examples can train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// Implicit ALS.
    Als,
    /// Item-kNN.
    ItemKnn,
    /// Explicit biased MF, ranked by predicted rating.
    Mf,
    /// Most popular items.
    Popularity,
}

impl FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "als" => Ok(Self::Als),
            "item-knn" | "knn" => Ok(Self::ItemKnn),
            "mf" => Ok(Self::Mf),
            "popularity" | "pop" => Ok(Self::Popularity),
            other => Err(format!(
                "unknown model {other:?} (expected als, item-knn, mf or popularity)"
            )),
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Als => "als",
            Self::ItemKnn => "item-knn",
            Self::Mf => "mf",
            Self::Popularity => "popularity",
        })
    }
}

/// Help text for the hyper-parameter flags read by [`ModelFlags::from_args`].
pub const MODEL_FLAGS_HELP: &str = "\
Confidence (ALS, item-kNN, popularity):
  --confidence rating|binary   value of a training rating (default rating)
  --rating-scale X             multiplier of ratings (default 1)
  --negative-below X|none      ratings below X become negative evidence
                               (default: 3.5 for ALS, none for the others)
ALS:        --factors N --regularization X --alpha X --iterations N --cg-steps N --seed N
item-kNN:   --neighbors N --shrinkage X --binarize true|false
MF:         --solver als|sgd --factors N --epochs N --cg-steps N --regularization X
            --bias-regularization X --prior-bias X --prior-factors X --init-std X --seed N
            --learning-rate X --lr-decay X (SGD)
popularity: --weighting count|weighted";

/// The tuned ALS hyper-parameters used by the examples, chosen on the MovieLens validation
/// split together with [`tuned_policy`]: 64 factors, regularization 20 (strong, because
/// confidences are ratings of up to 5 summed over ~70 items per user), alpha 1, 15 iterations.
pub fn tuned_als() -> AlsConfig {
    AlsConfig::new()
        .factors(64)
        .regularization(20.0)
        .alpha(1.0)
        .iterations(15)
}

/// The tuned feedback policy for implicit models on MovieLens ratings: confidence = rating for
/// ratings of 4 and 5, and ratings below 3.5 (1–3 stars) become negative evidence of weight
/// `3.5 − r` (chosen on the MovieLens validation split).
pub fn tuned_policy() -> FeedbackPolicy {
    FeedbackPolicy::default()
}

/// Model hyper-parameters from flags, starting from the tuned defaults.
#[derive(Clone, Debug)]
pub struct ModelFlags {
    /// Overrides the policy's rating multiplier.
    pub rating_scale: Option<f32>,
    /// Overrides the policy's negative threshold (`Some(None)` = no negative ratings).
    pub negative_below: Option<Option<f32>>,
    /// Replace every positive confidence by 1 (and negative by -1).
    pub binary: bool,
    /// ALS settings.
    pub als: AlsConfig,
    /// Item-kNN settings.
    pub knn: ItemKnnConfig,
    /// MF settings.
    pub mf: MfConfig,
    /// Popularity settings.
    pub popularity: PopularityConfig,
}

impl ModelFlags {
    /// Reads every hyper-parameter flag (all optional).
    pub fn from_args(args: &Args) -> AnyResult<Self> {
        let rating_scale: Option<f32> = args.get("rating-scale")?;
        let negative_below = match args.get::<String>("negative-below")?.as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(v) => Some(Some(v.parse::<f32>().map_err(|e| {
                usage(format!("--negative-below {v:?}: {e} (a number or `none`)"))
            })?)),
        };
        let binary = match args.get::<String>("confidence")?.as_deref() {
            None | Some("rating") => false,
            Some("binary") => true,
            Some(other) => {
                return Err(usage(format!(
                    "--confidence {other:?}: expected rating or binary"
                )))
            }
        };
        let factors: Option<usize> = args.get("factors")?;
        let regularization: Option<f32> = args.get("regularization")?;
        let seed: Option<u64> = args.get("seed")?;

        let mut als = tuned_als();
        if let Some(v) = factors {
            als = als.factors(v);
        }
        if let Some(v) = regularization {
            als = als.regularization(v);
        }
        if let Some(v) = args.get("alpha")? {
            als = als.alpha(v);
        }
        if let Some(v) = args.get("iterations")? {
            als = als.iterations(v);
        }
        let cg_steps: Option<usize> = args.get("cg-steps")?;
        if let Some(steps) = cg_steps {
            als = als.solver(recsys_core::models::als::Solver::ConjugateGradient { steps });
        }
        if let Some(v) = seed {
            als = als.seed(v);
        }

        let mut knn = ItemKnnConfig::new();
        if let Some(v) = args.get("neighbors")? {
            knn = knn.neighbors(v);
        }
        if let Some(v) = args.get("shrinkage")? {
            knn = knn.shrinkage(v);
        }
        if let Some(v) = args.get("binarize")? {
            knn = knn.binarize(v);
        }

        let mut mf = match args.get::<String>("solver")?.as_deref() {
            None | Some("als") => MfConfig::new(),
            Some("sgd") => MfConfig::sgd(),
            Some(other) => return Err(format!("unknown --solver {other:?} (als or sgd)").into()),
        };
        if let Some(v) = cg_steps {
            mf = mf.cg_steps(v);
        }
        let prior_bias: Option<f32> = args.get("prior-bias")?;
        let prior_factors: Option<f32> = args.get("prior-factors")?;
        if prior_bias.is_some() || prior_factors.is_some() {
            let default = MfConfig::new().get_prior();
            mf = mf.prior(recsys_core::models::mf::FoldInPrior::new(
                prior_bias.unwrap_or(default.bias),
                prior_factors.unwrap_or(default.factors),
            ));
        }
        if let Some(v) = factors {
            mf = mf.factors(v);
        }
        if let Some(v) = regularization {
            mf = mf.regularization(v);
        }
        if let Some(v) = args.get("epochs")? {
            mf = mf.epochs(v);
        }
        if let Some(v) = args.get("learning-rate")? {
            mf = mf.learning_rate(v);
        }
        if let Some(v) = args.get("lr-decay")? {
            mf = mf.learning_rate_decay(v);
        }
        if let Some(v) = args.get("bias-regularization")? {
            mf = mf.bias_regularization(v);
        }
        if let Some(v) = args.get("init-std")? {
            mf = mf.init_std(v);
        }
        if let Some(v) = seed {
            mf = mf.seed(v);
        }

        let popularity = match args.get::<String>("weighting")?.as_deref() {
            None | Some("count") => PopularityConfig::new(),
            Some("weighted") => PopularityConfig::new().weighting(PopularityWeighting::Weighted),
            Some(other) => {
                return Err(usage(format!(
                    "--weighting {other:?}: expected count or weighted"
                )))
            }
        };
        Ok(Self {
            rating_scale,
            negative_below,
            binary,
            als,
            knn,
            mf,
            popularity,
        })
    }

    /// Defaults only (the tuned settings).
    pub fn tuned() -> Self {
        Self {
            rating_scale: None,
            negative_below: None,
            binary: false,
            als: tuned_als(),
            knn: ItemKnnConfig::new(),
            mf: MfConfig::new(),
            popularity: PopularityConfig::new(),
        }
    }

    /// The rating → confidence policy for `kind`: [`tuned_policy`] for ALS, every rating positive
    /// (confidence = rating) for the others, then the flags' overrides.
    pub fn policy(&self, kind: ModelKind) -> FeedbackPolicy {
        let mut policy = match kind {
            ModelKind::Als => tuned_policy(),
            _ => FeedbackPolicy::all_ratings_positive(),
        };
        if let Some(scale) = self.rating_scale {
            policy = policy.rating_scale(scale);
        }
        if let Some(threshold) = self.negative_below {
            policy = policy.negative_below(threshold);
        }
        policy
    }

    /// The implicit-feedback matrix of a training set for `kind` under these flags.
    pub fn interactions(&self, kind: ModelKind, train: &TrainSet) -> AnyResult<Interactions> {
        let matrix = train.dataset.interactions(&self.policy(kind))?;
        Ok(if self.binary {
            matrix.map_values(f32::signum)
        } else {
            matrix
        })
    }

    /// Trains one top-N model.
    pub fn fit(
        &self,
        kind: ModelKind,
        train: &TrainSet,
        matrix: &Interactions,
    ) -> AnyResult<Box<dyn ItemScorer>> {
        Ok(match kind {
            ModelKind::Als => Box::new(self.als.fit(matrix)?),
            ModelKind::ItemKnn => Box::new(self.knn.fit(matrix)?),
            ModelKind::Popularity => Box::new(self.popularity.fit(matrix)?),
            ModelKind::Mf => Box::new(self.mf.fit(
                &train.triplets(),
                train.dataset.n_users(),
                train.dataset.n_items(),
            )?),
        })
    }
}

/// Dense indices for held-out rows: ids known to `users` / `items` keep their index, new ones
/// get fresh indices past the end (so cold items still count as relevant).
pub fn index_held_out(rows: &[CsvRating], users: &IdMap, items: &IdMap) -> Vec<Rating> {
    let (mut users, mut items) = (users.clone(), items.clone());
    rows.iter()
        .map(|r| {
            Rating::new(
                users.get_or_insert(&r.user),
                items.get_or_insert(&r.item),
                r.rating,
                r.timestamp,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::parse(list.iter().map(|s| s.to_string())).unwrap()
    }

    #[test]
    fn flags_parse_and_unknown_ones_are_rejected() {
        let a = args(&["--k", "5", "--binary", "--alpha=2.5"]);
        assert_eq!(a.get::<usize>("k").unwrap(), Some(5));
        assert!(a.flag("binary").unwrap());
        assert_eq!(a.get::<f32>("alpha").unwrap(), Some(2.5));
        assert!(a.finish().is_ok());
        let b = args(&["--k", "x", "--typo", "1"]);
        assert!(b.get::<usize>("k").is_err());
        assert!(b.finish().is_err());
        assert!(Args::parse(["loose".to_string()]).is_err());
    }

    #[test]
    fn held_out_ids_extend_the_maps() {
        let mut items = IdMap::new();
        items.get_or_insert("a");
        let users = IdMap::from(vec!["u".to_string()]);
        let row = |item: &str| CsvRating {
            user: "u".into(),
            item: item.into(),
            rating: 4.0,
            timestamp: 0,
            fold: None,
        };
        let held = index_held_out(&[row("a"), row("new")], &users, &items);
        assert_eq!((held[0].item, held[1].item), (0, 1));
    }
}
