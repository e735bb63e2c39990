//! Settings from environment variables, so several instances run side by side.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (`RECSYS_ADDR`, default `127.0.0.1:8000`).
    pub addr: SocketAddr,
    /// The database (`DATABASE_URL`: `postgres://user:password@host:port/name` for
    /// PostgreSQL, or `sqlite:path`); unset, the SQLite file `recsys.sqlite3` in `data_dir`.
    pub database_url: Option<DatabaseUrl>,
    /// Folder for the database and the model artifacts (`RECSYS_DATA_DIR`, default
    /// `var/server`, git-ignored).
    pub data_dir: PathBuf,
    /// MovieLens-100K in RecBole atomic files, imported on first start (`RECSYS_MOVIELENS_DIR`,
    /// default `data/ml-100k`).
    pub movielens_dir: PathBuf,
    /// Mark cookies `Secure` (`RECSYS_SECURE_COOKIES=1`; set it behind TLS).
    pub secure_cookies: bool,
    /// New feedback events after which the background trainer refits (`RECSYS_RETRAIN_EVENTS`,
    /// default 200; 0 turns the event trigger off).
    pub retrain_after_events: u64,
    /// Seconds between scheduled retrains when anything changed (`RECSYS_RETRAIN_SECONDS`,
    /// default 3600; 0 turns the schedule off).
    pub retrain_every_seconds: u64,
    /// Seconds between checks for a model another replica published (`RECSYS_MODEL_POLL_SECONDS`,
    /// default 10; 0 turns polling off).
    pub model_poll_seconds: u64,
    /// Run the background trainer in this process (`RECSYS_BACKGROUND_TRAINING`, default 1).
    /// With several replicas, leave it on in one and off in the others.
    pub background_training: bool,
    /// Log lines as JSON objects (`RECSYS_LOG_FORMAT=json`) instead of text (`text`, default).
    pub json_logs: bool,
    /// Create the staff account `demo` / `demo-password` with a few ratings on start
    /// (`RECSYS_DEMO_ACCOUNT=1`; scripts/run.sh sets it). Off by default.
    pub demo_account: bool,
    /// The recsys-wasm package (`recsys-wasm/build.sh` output) served to browsers for the
    /// anonymous For You (`RECSYS_WASM_DIR`, default `recsys-wasm/pkg`); when it is missing
    /// the pages hide the in-browser carousel.
    pub wasm_dir: PathBuf,
    /// A model on the Hugging Face Hub to serve instead of the local artifact
    /// (`HF_MODEL_REPO`, with `HF_MODEL_REVISION` and `HF_MODEL_FILENAME`); unset by default.
    pub hub_model: Option<HubModel>,
}

/// A model file on the Hugging Face Hub, downloaded through the standard Hub cache with the
/// `HF_*` variables (`HF_HOME`, `HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubModel {
    /// The model repository, `org/name` (`HF_MODEL_REPO`).
    pub repo_id: String,
    /// Branch, tag or commit (`HF_MODEL_REVISION`, default `main`).
    pub revision: String,
    /// The artifact's path in the repository (`HF_MODEL_FILENAME`, default `model.recsys`).
    pub filename: String,
}

/// A database URL; its `Debug` hides the password, so settings can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // scheme://user:password@host… → scheme://user:***@host…
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if scheme + 3 < at => {
                let credentials = &self.0[scheme + 3..at];
                let user = credentials.split(':').next().unwrap_or_default();
                write!(
                    f,
                    "\"{}{user}:***{}\"",
                    &self.0[..scheme + 3],
                    &self.0[at..]
                )
            }
            _ => write!(f, "{:?}", self.0),
        }
    }
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

impl Config {
    /// Defaults for every setting (the values documented on the fields).
    pub fn defaults() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            database_url: None,
            data_dir: PathBuf::from("var/server"),
            movielens_dir: PathBuf::from("data/ml-100k"),
            secure_cookies: false,
            retrain_after_events: 200,
            retrain_every_seconds: 3600,
            demo_account: false,
            model_poll_seconds: 10,
            background_training: true,
            json_logs: false,
            wasm_dir: PathBuf::from("recsys-wasm/pkg"),
            hub_model: None,
        }
    }

    /// Reads the settings from the environment, with the defaults for missing variables.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable that does not parse.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (the environment in [`Config::from_env`]).
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable that does not parse.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::defaults();
        if let Some(addr) = lookup("RECSYS_ADDR") {
            config.addr = addr.parse().map_err(|e| ConfigError {
                name: "RECSYS_ADDR",
                reason: format!("{addr:?} is not an address such as 127.0.0.1:8000 ({e})"),
            })?;
        }
        if let Some(url) = lookup("DATABASE_URL").filter(|u| !u.is_empty()) {
            config.database_url = Some(DatabaseUrl(url));
        }
        if let Some(dir) = lookup("RECSYS_DATA_DIR").filter(|d| !d.is_empty()) {
            config.data_dir = PathBuf::from(dir);
        }
        if let Some(dir) = lookup("RECSYS_MOVIELENS_DIR").filter(|d| !d.is_empty()) {
            config.movielens_dir = PathBuf::from(dir);
        }
        if let Some(dir) = lookup("RECSYS_WASM_DIR").filter(|d| !d.is_empty()) {
            config.wasm_dir = PathBuf::from(dir);
        }
        let flag = |name: &'static str, text: String| match text.as_str() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" | "" => Ok(false),
            other => Err(ConfigError {
                name,
                reason: format!("{other:?} is not 1/0, true/false or yes/no"),
            }),
        };
        if let Some(text) = lookup("RECSYS_SECURE_COOKIES") {
            config.secure_cookies = flag("RECSYS_SECURE_COOKIES", text)?;
        }
        if let Some(text) = lookup("RECSYS_BACKGROUND_TRAINING") {
            config.background_training = flag("RECSYS_BACKGROUND_TRAINING", text)?;
        }
        if let Some(text) = lookup("RECSYS_LOG_FORMAT") {
            config.json_logs = match text.as_str() {
                "json" => true,
                "text" | "" => false,
                other => {
                    return Err(ConfigError {
                        name: "RECSYS_LOG_FORMAT",
                        reason: format!("{other:?} is not json or text"),
                    })
                }
            };
        }
        if let Some(text) = lookup("RECSYS_DEMO_ACCOUNT") {
            config.demo_account = flag("RECSYS_DEMO_ACCOUNT", text)?;
        }
        let number = |name: &'static str, text: String| {
            text.parse::<u64>().map_err(|_| ConfigError {
                name,
                reason: format!("{text:?} is not a whole number"),
            })
        };
        if let Some(text) = lookup("RECSYS_RETRAIN_EVENTS") {
            config.retrain_after_events = number("RECSYS_RETRAIN_EVENTS", text)?;
        }
        if let Some(text) = lookup("RECSYS_MODEL_POLL_SECONDS") {
            config.model_poll_seconds = number("RECSYS_MODEL_POLL_SECONDS", text)?;
        }
        if let Some(text) = lookup("RECSYS_RETRAIN_SECONDS") {
            config.retrain_every_seconds = number("RECSYS_RETRAIN_SECONDS", text)?;
        }
        let text = |name: &str, default: &str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        if let Some(repo_id) = lookup("HF_MODEL_REPO").filter(|r| !r.trim().is_empty()) {
            config.hub_model = Some(HubModel {
                repo_id: repo_id.trim().to_owned(),
                revision: text("HF_MODEL_REVISION", "main"),
                filename: text("HF_MODEL_FILENAME", "model.recsys"),
            });
        }
        Ok(config)
    }

    /// The SQLite database file (used when `database_url` is unset).
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("recsys.sqlite3")
    }

    /// The current model artifact (replaced atomically by every training).
    pub fn model_path(&self) -> PathBuf {
        self.data_dir.join("model.recsys")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8000");
        assert_eq!(
            config.database_path(),
            PathBuf::from("var/server/recsys.sqlite3")
        );
        let config = Config::from_lookup(|name| match name {
            "RECSYS_ADDR" => Some("127.0.0.1:9001".into()),
            "RECSYS_DATA_DIR" => Some("/tmp/x".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(config.addr.port(), 9001);
        assert_eq!(config.model_path(), PathBuf::from("/tmp/x/model.recsys"));
    }

    #[test]
    fn a_hub_model_is_named_by_repository_revision_and_file() {
        assert_eq!(Config::from_lookup(|_| None).unwrap().hub_model, None);
        let config = Config::from_lookup(|name| match name {
            "HF_MODEL_REPO" => Some("acme/movies".into()),
            "HF_MODEL_FILENAME" => Some("web/model.recsys".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            config.hub_model,
            Some(HubModel {
                repo_id: "acme/movies".into(),
                revision: "main".into(),
                filename: "web/model.recsys".into(),
            })
        );
    }

    #[test]
    fn database_url_is_read_and_its_password_hidden() {
        let config = Config::from_lookup(|name| {
            (name == "DATABASE_URL").then(|| "postgres://app:s3cret@127.0.0.1:5432/recsys".into())
        })
        .unwrap();
        let shown = format!("{config:?}");
        assert!(
            shown.contains("postgres://app:***@127.0.0.1:5432/recsys"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err =
            Config::from_lookup(|name| (name == "RECSYS_ADDR").then(|| "nope".into())).unwrap_err();
        assert!(err.to_string().contains("RECSYS_ADDR"), "{err}");
        let err =
            Config::from_lookup(|name| (name == "RECSYS_RETRAIN_EVENTS").then(|| "-1".into()))
                .unwrap_err();
        assert!(err.to_string().contains("RECSYS_RETRAIN_EVENTS"), "{err}");
    }
}
