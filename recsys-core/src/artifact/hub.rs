//! Artifacts from the Hugging Face Hub (feature `hub`).
//!
//! Files are fetched into, and served from, the Hub's standard local cache
//! (`$HF_HOME/hub/models--ORG--NAME/...`, shared with Python's `huggingface_hub`), so a model
//! that is already cached loads without any network access.
//!
//! ```no_run
//! use recsys_core::artifact::hub;
//! use recsys_core::models::als::AlsModel;
//!
//! let model: AlsModel = hub::from_hub("acme/movie-als", "main", "model.recsys")?;
//! # Ok::<(), recsys_core::Error>(())
//! ```

use std::path::{Path, PathBuf};

use hf_hub::api::sync::{Api, ApiBuilder};
use hf_hub::{Repo, RepoType};

use super::Artifact;
use crate::{Error, Result};

/// Downloads [`Artifact`]s from a Hub endpoint through a local cache.
pub struct Hub {
    api: Api,
}

impl Hub {
    /// A client configured like Python's `huggingface_hub`: cache in `$HF_HOME/hub` (default
    /// `~/.cache/huggingface/hub`), endpoint `$HF_ENDPOINT` (default `https://huggingface.co`),
    /// access token from the cache's `token` file.
    pub fn from_env() -> Result<Self> {
        Self::build(ApiBuilder::from_env())
    }

    /// A client with an explicit cache directory (the `hub` folder itself, i.e. the one that
    /// holds `models--ORG--NAME`) and, optionally, another endpoint.
    ///
    /// ```
    /// # fn main() -> recsys_core::Result<()> {
    /// use recsys_core::artifact::hub::Hub;
    ///
    /// let cache = std::env::temp_dir().join("recsys-doc-hub-cache");
    /// let hub = Hub::with_cache_dir(&cache, Some("http://127.0.0.1:9"))?;
    /// // Nothing is cached and the endpoint is unreachable: a clear error, not a hang.
    /// let err = hub.download("acme/movie-als", "main", "model.recsys").unwrap_err();
    /// assert!(err.to_string().contains("acme/movie-als"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_cache_dir(cache_dir: impl AsRef<Path>, endpoint: Option<&str>) -> Result<Self> {
        let mut builder = ApiBuilder::new().with_cache_dir(cache_dir.as_ref().to_path_buf());
        if let Some(endpoint) = endpoint {
            builder = builder.with_endpoint(endpoint.trim_end_matches('/').to_owned());
        }
        Self::build(builder)
    }

    fn build(builder: ApiBuilder) -> Result<Self> {
        let api = builder
            .with_progress(false)
            .with_user_agent("recsys", env!("CARGO_PKG_VERSION"))
            .build()
            .map_err(|err| Error::Hub {
                reason: format!("cannot set up the Hub client: {err}"),
            })?;
        Ok(Self { api })
    }

    /// The local path of `filename` in the model repository `repo_id` at `revision` (a branch,
    /// tag or commit), downloading it into the cache unless it is already there.
    pub fn download(&self, repo_id: &str, revision: &str, filename: &str) -> Result<PathBuf> {
        let repo = Repo::with_revision(repo_id.to_owned(), RepoType::Model, revision.to_owned());
        self.api.repo(repo).get(filename).map_err(|err| Error::Hub {
            reason: format!("`{filename}` from `{repo_id}` at revision `{revision}`: {err}"),
        })
    }

    /// Downloads (or finds in the cache) and reads an artifact; see [`Hub::download`].
    pub fn load<T: Artifact>(&self, repo_id: &str, revision: &str, filename: &str) -> Result<T> {
        T::load(self.download(repo_id, revision, filename)?)
    }
}

/// Reads an artifact from the Hub with the environment's settings ([`Hub::from_env`]).
///
/// # Errors
/// [`Error::Hub`] when the file is neither cached nor downloadable, and the errors of
/// [`Artifact::load`] for the file itself.
pub fn from_hub<T: Artifact>(repo_id: &str, revision: &str, filename: &str) -> Result<T> {
    Hub::from_env()?.load(repo_id, revision, filename)
}
