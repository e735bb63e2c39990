//! Artifacts from the Hugging Face Hub (feature `hub`).
//!
//! A model is named by repository id, revision (branch, tag or commit) and file name, as on the
//! Hub: `https://huggingface.co/{repo_id}/resolve/{revision}/{filename}`. Files are downloaded
//! (with [`hf_hub`]) into the Hub's standard local cache, the one Python's `huggingface_hub`
//! uses, and read from there:
//!
//! - the cache is `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
//!   else `~/.cache/huggingface/hub` (`models--ORG--NAME/{blobs,snapshots,refs}`), so a file
//!   fetched by either client is found by the other;
//! - the endpoint is `$HF_ENDPOINT` (default `https://huggingface.co`), e.g. a mirror;
//! - the access token for private and gated repositories is `$HF_TOKEN`, else the file
//!   `$HF_TOKEN_PATH` (default `$HF_HOME/token`, which `huggingface-cli login` writes);
//! - `HF_HUB_OFFLINE=1` never touches the network: cached files load, others fail clearly.
//!
//! A commit hash that is cached loads without any request. A branch or tag costs one small
//! request (the first byte of the file) to learn which commit it points at now, so a new push
//! is picked up, and the body is downloaded only when that commit's file is not cached yet.
//! When the endpoint cannot be reached at all, the cached copy of the revision is used, as
//! `huggingface_hub` does. Errors say what failed: a missing repository or file (404), a
//! private repository without a token (401/403), an endpoint that does not answer like the Hub
//! (missing headers), an incomplete download (nothing is cached then), a corrupt file.
//!
//! ```no_run
//! use recsys_core::artifact::hub;
//! use recsys_core::recommender::Recommender;
//!
//! let model: Recommender = hub::from_hub("acme/movie-recommender", "main", "model.recsys")?;
//! # Ok::<(), recsys_core::Error>(())
//! ```

use std::fmt;
use std::path::{Component, Path, PathBuf};

use hf_hub::api::sync::{ApiBuilder, ApiError, Metadata};
use hf_hub::{Repo, RepoType};

use super::Artifact;
use crate::{Error, Result};

/// The public Hub, used when `HF_ENDPOINT` is not set.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// Downloads [`Artifact`]s from a Hub endpoint through the local Hub cache.
///
/// Its `Debug` output never shows the token.
#[derive(Clone)]
pub struct Hub {
    cache_dir: PathBuf,
    endpoint: String,
    token: Option<String>,
    offline: bool,
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hub")
            .field("cache_dir", &self.cache_dir)
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("offline", &self.offline)
            .finish()
    }
}

/// A file of a Hub repository in the local cache, as [`Hub::fetch`] returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubFile {
    /// Where the file is: `{cache}/models--ORG--NAME/snapshots/{commit}/{filename}`.
    pub path: PathBuf,
    /// The commit the revision resolved to.
    pub commit: String,
    /// Whether this call downloaded the file's bytes (false: they were cached).
    pub downloaded: bool,
}

impl Hub {
    /// A client configured like Python's `huggingface_hub`, from the environment variables
    /// listed in the [module documentation](self).
    ///
    /// # Errors
    /// [`Error::Hub`] when the endpoint is not an `http(s)://` URL, or when no cache folder can
    /// be found (neither `HF_HUB_CACHE`, `HF_HOME`, `XDG_CACHE_HOME` nor `HOME` is set).
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Hub::from_env`] with the variables read through `lookup`.
    ///
    /// ```
    /// use recsys_core::artifact::hub::Hub;
    ///
    /// let hub = Hub::from_lookup(|name| match name {
    ///     "HF_HOME" => Some("/srv/hf".into()),
    ///     "HF_ENDPOINT" => Some("https://mirror.example/".into()),
    ///     "HF_HUB_OFFLINE" => Some("1".into()),
    ///     _ => None,
    /// })
    /// .unwrap();
    /// assert_eq!(hub.cache_dir(), std::path::Path::new("/srv/hf/hub"));
    /// assert_eq!(hub.endpoint(), "https://mirror.example");
    /// assert!(hub.is_offline());
    /// ```
    ///
    /// # Errors
    /// As [`Hub::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let set = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let hf_home = match set("HF_HOME") {
            Some(home) => PathBuf::from(home),
            None => {
                let cache = set("XDG_CACHE_HOME")
                    .map(PathBuf::from)
                    .or_else(|| set("HOME").map(|home| PathBuf::from(home).join(".cache")))
                    .or_else(|| set("USERPROFILE").map(|home| PathBuf::from(home).join(".cache")));
                cache
                    .ok_or_else(|| hub_error("no cache folder: set HF_HOME or HF_HUB_CACHE"))?
                    .join("huggingface")
            }
        };
        let cache_dir = set("HF_HUB_CACHE")
            .or_else(|| set("HUGGINGFACE_HUB_CACHE"))
            .map(PathBuf::from)
            .unwrap_or_else(|| hf_home.join("hub"));
        let token = set("HF_TOKEN")
            .or_else(|| set("HUGGING_FACE_HUB_TOKEN"))
            .or_else(|| {
                let path = set("HF_TOKEN_PATH")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| hf_home.join("token"));
                std::fs::read_to_string(path).ok()
            })
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty());
        let offline = ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"]
            .iter()
            .any(|name| {
                set(name).is_some_and(|value| {
                    matches!(
                        value.trim().to_ascii_lowercase().as_str(),
                        "1" | "on" | "yes" | "true"
                    )
                })
            });
        let endpoint = set("HF_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned());
        Ok(Self {
            cache_dir,
            endpoint: checked_endpoint(&endpoint)?,
            token,
            offline,
        })
    }

    /// A client with an explicit cache directory (the `hub` folder itself, i.e. the one that
    /// holds `models--ORG--NAME`) and, optionally, another endpoint; no token, online.
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
    ///
    /// # Errors
    /// [`Error::Hub`] when `endpoint` is not an `http(s)://` URL.
    pub fn with_cache_dir(cache_dir: impl AsRef<Path>, endpoint: Option<&str>) -> Result<Self> {
        Ok(Self {
            cache_dir: cache_dir.as_ref().to_path_buf(),
            endpoint: checked_endpoint(endpoint.unwrap_or(DEFAULT_ENDPOINT))?,
            token: None,
            offline: false,
        })
    }

    /// The same client with another access token (`None`: anonymous).
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token.filter(|token| !token.trim().is_empty());
        self
    }

    /// The same client, never using the network when `offline`.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// The cache folder (the one holding `models--ORG--NAME`).
    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// The endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether the client never uses the network.
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// The download URL of a file: `{endpoint}/{repo_id}/resolve/{revision}/{filename}`, a `/`
    /// in the revision escaped as `%2F` (`refs/pr/1`). Browsers can `fetch()` it directly.
    ///
    /// ```
    /// use recsys_core::artifact::hub::Hub;
    ///
    /// let hub = Hub::with_cache_dir("/tmp/hub", None).unwrap();
    /// assert_eq!(
    ///     hub.url("acme/movies", "main", "model.recsys"),
    ///     "https://huggingface.co/acme/movies/resolve/main/model.recsys"
    /// );
    /// ```
    pub fn url(&self, repo_id: &str, revision: &str, filename: &str) -> String {
        let revision = revision.replace('/', "%2F");
        format!("{}/{repo_id}/resolve/{revision}/{filename}", self.endpoint)
    }

    /// The local path of `filename` in the model repository `repo_id` at `revision`,
    /// downloading it into the cache unless it is already there (see [`Hub::fetch`]).
    ///
    /// # Errors
    /// As [`Hub::fetch`].
    pub fn download(&self, repo_id: &str, revision: &str, filename: &str) -> Result<PathBuf> {
        Ok(self.fetch(repo_id, revision, filename)?.path)
    }

    /// Finds `filename` of `repo_id` at `revision` in the cache or downloads it, as the
    /// [module documentation](self) describes, and says which commit it is and whether its
    /// bytes were downloaded.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an empty repository id, revision or file name, or a
    /// file name that leaves the repository (`..`, absolute); [`Error::Hub`] when the file is
    /// neither cached nor downloadable, naming the repository, revision and file, and why.
    pub fn fetch(&self, repo_id: &str, revision: &str, filename: &str) -> Result<HubFile> {
        check_names(repo_id, revision, filename)?;
        let cache = RepoCache::new(&self.cache_dir, repo_id);
        let context = |reason: String| {
            hub_error(format!(
                "`{filename}` from `{repo_id}` at revision `{revision}`: {reason}"
            ))
        };
        if is_commit_hash(revision) {
            if let Some(path) = cache.snapshot_file(revision, filename) {
                return Ok(HubFile {
                    path,
                    commit: revision.to_owned(),
                    downloaded: false,
                });
            }
        }
        if self.offline {
            return cache.by_ref(revision, filename).ok_or_else(|| {
                context(format!(
                    "not in the local cache {} and offline mode is on (HF_HUB_OFFLINE)",
                    self.cache_dir.display()
                ))
            });
        }
        let api = ApiBuilder::new()
            .with_cache_dir(self.cache_dir.clone())
            .with_endpoint(self.endpoint.clone())
            .with_token(self.token.clone())
            .with_progress(false)
            .with_user_agent("recsys", env!("CARGO_PKG_VERSION"))
            .build()
            .map_err(|err| hub_error(format!("cannot set up the Hub client: {err}")))?;
        let repo = api.repo(Repo::with_revision(
            repo_id.to_owned(),
            RepoType::Model,
            revision.to_owned(),
        ));
        let url = repo.url(filename);
        let metadata = match api.metadata(&url) {
            Ok(metadata) => metadata,
            Err(err) if is_unreachable(&err) => {
                // As huggingface_hub: an unreachable endpoint falls back to the cached copy.
                return cache.by_ref(revision, filename).ok_or_else(|| {
                    context(format!(
                        "cannot reach {} ({err}) and the file is not in the local cache {}",
                        self.endpoint,
                        self.cache_dir.display()
                    ))
                });
            }
            Err(err) => return Err(context(self.explain(&url, &err))),
        };
        let commit = metadata.commit_hash().to_owned();
        // This commit's file, or the same bytes cached under another commit or name.
        let cached = match cache.snapshot_file(&commit, filename) {
            Some(path) => Some(path),
            None => cache
                .link_cached_blob(&metadata, filename)
                .map_err(|err| context(format!("cannot update the cache: {err}")))?,
        };
        if let Some(path) = cached {
            cache
                .write_ref(revision, &commit)
                .map_err(|err| context(format!("cannot update the cache: {err}")))?;
            return Ok(HubFile {
                path,
                commit,
                downloaded: false,
            });
        }
        let path = repo
            .download(filename)
            .map_err(|err| context(self.explain(&url, &err)))?;
        cache.check_size(&path, &metadata).map_err(context)?;
        Ok(HubFile {
            path,
            commit,
            downloaded: true,
        })
    }

    /// Finds or downloads an artifact ([`Hub::fetch`]) and reads it.
    ///
    /// # Errors
    /// As [`Hub::fetch`], and the errors of [`Artifact::load`] for the file itself, whose
    /// message then names the repository, revision and commit too.
    pub fn load<T: Artifact>(&self, repo_id: &str, revision: &str, filename: &str) -> Result<T> {
        let file = self.fetch(repo_id, revision, filename)?;
        T::load(&file.path).map_err(|err| match err {
            Error::CorruptArtifact { reason } => Error::CorruptArtifact {
                reason: format!(
                    "`{filename}` from `{repo_id}` at revision `{revision}` (commit {}): {reason}",
                    file.commit
                ),
            },
            other => other,
        })
    }

    /// A sentence for a failed request to `url`.
    fn explain(&self, url: &str, err: &ApiError) -> String {
        match err {
            ApiError::RequestError(request) => match request.as_ref() {
                ureq::Error::StatusCode(404) => {
                    format!("not found (HTTP 404 from {url}): no such repository, revision or file")
                }
                ureq::Error::StatusCode(code @ (401 | 403)) => {
                    let token = if self.token.is_some() {
                        "the token given has no access to it"
                    } else {
                        "a private or gated repository needs a token: set HF_TOKEN"
                    };
                    format!("access denied (HTTP {code} from {url}); {token}")
                }
                ureq::Error::StatusCode(code) => format!("HTTP {code} from {url}"),
                other => format!("request to {url} failed: {other}"),
            },
            ApiError::MissingHeader(header) | ApiError::InvalidHeader(header) => format!(
                "{} answered without a valid `{header}` header: is HF_ENDPOINT a Hugging Face \
                 Hub (or a mirror of one)?",
                self.endpoint
            ),
            ApiError::ParseIntError(_) => format!(
                "{} answered with an unreadable `Content-Range` header: is HF_ENDPOINT a \
                 Hugging Face Hub?",
                self.endpoint
            ),
            other => format!("download from {url} failed: {other}"),
        }
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

fn hub_error(reason: impl Into<String>) -> Error {
    Error::Hub {
        reason: reason.into(),
    }
}

fn checked_endpoint(endpoint: &str) -> Result<String> {
    let endpoint = endpoint.trim().trim_end_matches('/');
    if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
        Ok(endpoint.to_owned())
    } else {
        Err(hub_error(format!(
            "the endpoint {endpoint:?} (HF_ENDPOINT) is not an http:// or https:// URL"
        )))
    }
}

/// Rejects names that would leave the repository's folder in the cache.
fn check_names(repo_id: &str, revision: &str, filename: &str) -> Result<()> {
    let parts_ok = |text: &str| {
        !text.is_empty()
            && !text.starts_with('/')
            && !text.contains('\\')
            && Path::new(text)
                .components()
                .all(|part| matches!(part, Component::Normal(_)))
    };
    if !parts_ok(repo_id) || repo_id.split('/').count() > 2 {
        return Err(Error::invalid(
            "repo_id",
            format!("{repo_id:?} is not a repository id such as \"org/name\""),
        ));
    }
    if !parts_ok(revision) {
        return Err(Error::invalid(
            "revision",
            format!("{revision:?} is not a branch, tag or commit"),
        ));
    }
    if !parts_ok(filename) {
        return Err(Error::invalid(
            "filename",
            format!("{filename:?} is not a file path inside the repository"),
        ));
    }
    Ok(())
}

fn is_commit_hash(revision: &str) -> bool {
    revision.len() == 40
        && revision
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether the endpoint could not be reached at all (as opposed to answering with an error).
fn is_unreachable(err: &ApiError) -> bool {
    match err {
        ApiError::RequestError(request) => matches!(
            request.as_ref(),
            ureq::Error::Io(_)
                | ureq::Error::ConnectionFailed
                | ureq::Error::HostNotFound
                | ureq::Error::Timeout(_)
        ),
        _ => false,
    }
}

/// One repository's folder in the Hub cache: `models--ORG--NAME/{blobs,snapshots,refs}`.
struct RepoCache {
    dir: PathBuf,
}

impl RepoCache {
    fn new(cache_dir: &Path, repo_id: &str) -> Self {
        Self {
            dir: cache_dir.join(format!("models--{}", repo_id.replace('/', "--"))),
        }
    }

    fn snapshot_path(&self, commit: &str, filename: &str) -> PathBuf {
        self.dir.join("snapshots").join(commit).join(filename)
    }

    /// The cached file of `commit`, when there is one (a dangling link is not).
    fn snapshot_file(&self, commit: &str, filename: &str) -> Option<PathBuf> {
        let path = self.snapshot_path(commit, filename);
        path.is_file().then_some(path)
    }

    /// The cached file of the commit `revision` last resolved to (or of `revision` itself).
    fn by_ref(&self, revision: &str, filename: &str) -> Option<HubFile> {
        let commit = std::fs::read_to_string(self.dir.join("refs").join(revision))
            .map(|text| text.trim().to_owned())
            .unwrap_or_else(|_| revision.to_owned());
        let path = self.snapshot_file(&commit, filename)?;
        Some(HubFile {
            path,
            commit,
            downloaded: false,
        })
    }

    /// Records that `revision` (a branch or tag) now points at `commit`; commit hashes need
    /// no ref (huggingface_hub writes none).
    fn write_ref(&self, revision: &str, commit: &str) -> std::io::Result<()> {
        if revision == commit {
            return Ok(());
        }
        let path = self.dir.join("refs").join(revision);
        if std::fs::read_to_string(&path).is_ok_and(|text| text.trim() == commit) {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // No trailing newline: hf-hub reads the ref verbatim.
        std::fs::write(path, commit)
    }

    /// Links `filename` of the metadata's commit to a blob already cached under its etag (the
    /// same bytes under another commit or file name), as the Hub clients do.
    fn link_cached_blob(
        &self,
        metadata: &Metadata,
        filename: &str,
    ) -> std::io::Result<Option<PathBuf>> {
        let blob = self.dir.join("blobs").join(metadata.etag());
        let complete = std::fs::metadata(&blob)
            .is_ok_and(|meta| meta.is_file() && meta.len() == metadata.size() as u64);
        if metadata.etag().is_empty() || metadata.etag().contains(['/', '\\']) || !complete {
            return Ok(None);
        }
        let pointer = self.snapshot_path(metadata.commit_hash(), filename);
        if let Some(parent) = pointer.parent() {
            std::fs::create_dir_all(parent)?;
        }
        link(&blob, &pointer, Path::new(filename).components().count())?;
        Ok(Some(pointer))
    }

    /// Checks a fresh download against the size the Hub announced; an incomplete file is
    /// removed from the cache so the next call downloads it again.
    fn check_size(&self, path: &Path, metadata: &Metadata) -> std::result::Result<(), String> {
        let got = std::fs::metadata(path).map(|meta| meta.len()).unwrap_or(0);
        let expected = metadata.size() as u64;
        if got == expected {
            return Ok(());
        }
        let _ = std::fs::remove_file(self.dir.join("blobs").join(metadata.etag()));
        let _ = std::fs::remove_file(path);
        Err(format!(
            "incomplete download: {got} of {expected} bytes (nothing was cached; try again)"
        ))
    }
}

/// Links `pointer` to `blob` with a relative path (`../../blobs/<etag>` for a file at the
/// snapshot's top level), as the Hub clients lay out their cache; copies where symbolic links
/// are not available.
fn link(blob: &Path, pointer: &Path, filename_depth: usize) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut relative = PathBuf::new();
        for _ in 0..=filename_depth {
            relative.push("..");
        }
        relative.push("blobs");
        relative.push(blob.file_name().unwrap_or_default());
        let _ = std::fs::remove_file(pointer);
        std::os::unix::fs::symlink(relative, pointer)
    }
    #[cfg(not(unix))]
    {
        let _ = filename_depth;
        std::fs::copy(blob, pointer).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(vars: &[(&str, &str)]) -> Result<Hub> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Hub::from_lookup(move |name| {
            vars.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        })
    }

    #[test]
    fn cache_folder_follows_huggingface_hub_precedence() {
        let dir = |vars| hub(vars).unwrap().cache_dir().to_path_buf();
        assert_eq!(
            dir(&[("HOME", "/home/ann")]),
            Path::new("/home/ann/.cache/huggingface/hub")
        );
        assert_eq!(
            dir(&[("HOME", "/home/ann"), ("XDG_CACHE_HOME", "/xdg")]),
            Path::new("/xdg/huggingface/hub")
        );
        assert_eq!(
            dir(&[("XDG_CACHE_HOME", "/xdg"), ("HF_HOME", "/hf")]),
            Path::new("/hf/hub")
        );
        assert_eq!(
            dir(&[("HF_HOME", "/hf"), ("HF_HUB_CACHE", "/blobs")]),
            Path::new("/blobs")
        );
        let err = hub(&[]).unwrap_err();
        assert!(err.to_string().contains("HF_HOME"), "{err}");
    }

    #[test]
    fn token_endpoint_and_offline_come_from_the_environment() {
        let dir = std::env::temp_dir().join(format!("recsys-hub-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("token"), "hf_from_file\n").unwrap();
        let home = dir.to_str().unwrap();
        let from_file = hub(&[("HF_HOME", home)]).unwrap();
        assert_eq!(from_file.token.as_deref(), Some("hf_from_file"));
        assert_eq!(from_file.endpoint(), DEFAULT_ENDPOINT);
        assert!(!from_file.is_offline());
        let from_var = hub(&[("HF_HOME", home), ("HF_TOKEN", "hf_var")]).unwrap();
        assert_eq!(from_var.token.as_deref(), Some("hf_var"));
        assert!(!format!("{from_var:?}").contains("hf_var"));
        let none = hub(&[("HF_HOME", home), ("HF_TOKEN_PATH", "/no/such/token")]).unwrap();
        assert_eq!(none.token, None);
        for (value, offline) in [("1", true), ("TRUE", true), ("0", false), ("", false)] {
            let hub = hub(&[("HOME", "/h"), ("HF_HUB_OFFLINE", value)]).unwrap();
            assert_eq!(hub.is_offline(), offline, "HF_HUB_OFFLINE={value:?}");
        }
        let err = hub(&[("HOME", "/h"), ("HF_ENDPOINT", "ftp://x")]).unwrap_err();
        assert!(err.to_string().contains("HF_ENDPOINT"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn names_that_leave_the_repository_are_rejected() {
        let hub = Hub::with_cache_dir("/nonexistent", Some("http://127.0.0.1:9")).unwrap();
        for (repo, revision, file, name) in [
            ("", "main", "m.recsys", "repo_id"),
            ("a/b/c", "main", "m.recsys", "repo_id"),
            ("../b", "main", "m.recsys", "repo_id"),
            ("a/b", "", "m.recsys", "repo_id"),
            ("a/b", "..", "m.recsys", "revision"),
            ("a/b", "main", "../m.recsys", "filename"),
            ("a/b", "main", "/etc/passwd", "filename"),
            ("a/b", "main", "", "filename"),
        ] {
            match hub.fetch(repo, revision, file) {
                Err(Error::InvalidParameter { name: got, .. }) => {
                    assert!(name == got || (revision.is_empty() && got == "revision"))
                }
                other => panic!("{repo:?} {revision:?} {file:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn urls_escape_slashes_in_revisions() {
        let hub = Hub::with_cache_dir("/c", Some("http://127.0.0.1:8080/")).unwrap();
        assert_eq!(
            hub.url("a/b", "refs/pr/1", "m.recsys"),
            "http://127.0.0.1:8080/a/b/resolve/refs%2Fpr%2F1/m.recsys"
        );
    }
}
