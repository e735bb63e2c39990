//! `artifact::hub` against a Hub cache laid out on disk by the test and against a small HTTP
//! server on 127.0.0.1 that answers downloads like the Hub (`GET
//! /{repo}/resolve/{revision}/{file}` with `Range`, answering 206 with `etag`, `x-repo-commit`
//! and `Content-Range`). No internet is used: "offline" endpoints point at a closed local port.
#![cfg(feature = "hub")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use recsys_core::artifact::hub::Hub;
use recsys_core::artifact::Artifact;
use recsys_core::data::Interactions;
use recsys_core::models::popularity::{PopularityConfig, PopularityModel};
use recsys_core::Error;

const REPO: &str = "acme/movie-popularity";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const NEXT_COMMIT: &str = "89abcdef0123456789abcdef0123456789abcdef";
/// Port 9 (discard) is closed on test machines; connecting fails immediately.
const OFFLINE_ENDPOINT: &str = "http://127.0.0.1:9";

fn model(counts: &[(u32, u32, f32)]) -> PopularityModel {
    let m = Interactions::from_triplets(3, 4, counts).unwrap();
    PopularityConfig::new().fit(&m).unwrap()
}

fn first_model() -> PopularityModel {
    model(&[(0, 1, 1.0), (1, 1, 2.0), (2, 3, 1.0)])
}

fn second_model() -> PopularityModel {
    model(&[(0, 2, 1.0), (1, 2, 2.0), (2, 0, 1.0)])
}

/// A fresh, empty cache folder for one test.
fn empty_cache(name: &str) -> PathBuf {
    let cache = std::env::temp_dir().join(format!("recsys-hub-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    std::fs::create_dir_all(&cache).unwrap();
    cache
}

/// Lays out `$cache/models--acme--movie-popularity/{blobs,snapshots/<commit>,refs/main}` the
/// way the Hub clients do, with `files` stored as blobs and linked from the snapshot.
fn hub_cache(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let cache = empty_cache(name);
    let repo = cache.join("models--acme--movie-popularity");
    let snapshot = repo.join("snapshots").join(COMMIT);
    std::fs::create_dir_all(repo.join("blobs")).unwrap();
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::create_dir_all(&snapshot).unwrap();
    // The ref holds the commit with no trailing newline, as the Hub clients write it.
    std::fs::write(repo.join("refs").join("main"), COMMIT).unwrap();
    for (i, (file, bytes)) in files.iter().enumerate() {
        let blob = repo.join("blobs").join(format!("etag{i}"));
        std::fs::write(&blob, bytes).unwrap();
        link(&blob, &snapshot.join(file));
    }
    cache
}

#[cfg(unix)]
fn link(blob: &Path, target: &Path) {
    std::os::unix::fs::symlink(blob, target).unwrap();
}

#[cfg(not(unix))]
fn link(blob: &Path, target: &Path) {
    std::fs::copy(blob, target).unwrap();
}

/// What the fake Hub serves and what it was asked.
#[derive(Default)]
struct HubState {
    /// (repo, branch) → commit.
    refs: HashMap<(String, String), String>,
    /// (repo, commit, file) → bytes.
    files: HashMap<(String, String, String), Vec<u8>>,
    /// repo → the token it requires.
    private: HashMap<String, String>,
    /// A header the answers leave out.
    omit_header: Option<&'static str>,
    /// Announce this many bytes more than the file holds (a truncating proxy).
    missing_bytes: u64,
    /// Every request: (method, path, Range header).
    requests: Vec<(String, String, Option<String>)>,
}

/// A Hub-like download server on 127.0.0.1 (a thread per connection, `Connection: close`).
struct FakeHub {
    endpoint: String,
    state: Arc<Mutex<HubState>>,
}

impl FakeHub {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(HubState::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || answer(stream, &state));
            }
        });
        Self { endpoint, state }
    }

    /// Commits `bytes` as `file` of `repo` at `commit` and points `main` at it.
    fn push(&self, repo: &str, commit: &str, file: &str, bytes: &[u8]) {
        let mut state = self.state.lock().unwrap();
        state
            .files
            .insert((repo.into(), commit.into(), file.into()), bytes.to_vec());
        state
            .refs
            .insert((repo.into(), "main".into()), commit.into());
    }

    fn with_state<R>(&self, f: impl FnOnce(&mut HubState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Requests so far that asked for more than the first byte (body downloads).
    fn body_requests(&self) -> usize {
        self.with_state(|s| {
            s.requests
                .iter()
                .filter(|(_, _, range)| range.as_deref() != Some("bytes=0-0"))
                .count()
        })
    }

    fn hub(&self, cache: &Path) -> Hub {
        Hub::with_cache_dir(cache, Some(&self.endpoint)).unwrap()
    }

    /// Commits `model` as `model.recsys` of [`REPO`] at `commit` on `main`.
    fn push_model(&self, commit: &str, model: &PopularityModel) {
        self.push(REPO, commit, "model.recsys", &model.to_bytes().unwrap());
    }
}

/// `model.recsys` of [`REPO`] at `revision`, which must load.
fn load(hub: &Hub, revision: &str) -> PopularityModel {
    hub.load(REPO, revision, "model.recsys").unwrap()
}

fn answer(stream: TcpStream, state: &Mutex<HubState>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("").to_owned(),
    );
    let range = headers.get("range").cloned();
    let mut state = state.lock().unwrap();
    state
        .requests
        .push((method.clone(), path.clone(), range.clone()));
    let response = respond(&state, &path, &headers, range.as_deref(), method == "HEAD");
    drop(state);
    let mut stream = stream;
    let _ = stream.write_all(&response);
}

fn respond(
    state: &HubState,
    path: &str,
    headers: &HashMap<String, String>,
    range: Option<&str>,
    head: bool,
) -> Vec<u8> {
    let plain = |status: &str| {
        format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").into_bytes()
    };
    let Some((repo, rest)) = path.trim_start_matches('/').split_once("/resolve/") else {
        return plain("404 Not Found");
    };
    let Some((revision, file)) = rest.split_once('/') else {
        return plain("404 Not Found");
    };
    let revision = revision.replace("%2F", "/");
    if let Some(token) = state.private.get(repo) {
        if headers.get("authorization") != Some(&format!("Bearer {token}")) {
            return plain("401 Unauthorized");
        }
    }
    let commit = state
        .refs
        .get(&(repo.to_owned(), revision.clone()))
        .cloned()
        .unwrap_or(revision);
    let Some(bytes) = state
        .files
        .get(&(repo.to_owned(), commit.clone(), file.to_owned()))
    else {
        return plain("404 Not Found");
    };
    let size = bytes.len() as u64 + state.missing_bytes;
    let (start, end) = match range.and_then(|r| r.strip_prefix("bytes=")) {
        Some(spec) => {
            let (a, b) = spec.split_once('-').unwrap();
            let start: u64 = a.parse().unwrap();
            let end = b.parse::<u64>().map_or(size - 1, |b| b.min(size - 1));
            (start, end)
        }
        None => (0, size - 1),
    };
    // Only bytes the file has are sent, whatever was announced.
    let body: &[u8] = bytes
        .get(start as usize..=(end as usize).min(bytes.len() - 1))
        .unwrap_or(&[]);
    let mut out = format!(
        "HTTP/1.1 {}\r\n",
        if range.is_some() {
            "206 Partial Content"
        } else {
            "200 OK"
        }
    );
    let etag = format!("\"{:016x}{:08x}\"", fnv(bytes), bytes.len());
    for (name, value) in [
        ("etag", etag),
        ("x-repo-commit", commit),
        ("content-range", format!("bytes {start}-{end}/{size}")),
        ("content-length", body.len().to_string()),
        ("connection", "close".to_owned()),
    ] {
        if state.omit_header != Some(name) {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    if !head {
        out.extend_from_slice(body);
    }
    out
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

fn hub_reason(result: Result<PopularityModel, Error>) -> String {
    match result {
        Err(Error::Hub { reason }) => reason,
        other => panic!("expected Error::Hub, got {other:?}"),
    }
}

#[test]
fn cached_artifact_loads_without_network() {
    let expected = first_model();
    let cache = hub_cache("ok", &[("model.recsys", &expected.to_bytes().unwrap())]);
    let hub = Hub::with_cache_dir(&cache, Some(OFFLINE_ENDPOINT)).unwrap();
    let path = hub.download(REPO, "main", "model.recsys").unwrap();
    assert!(path.ends_with(Path::new(COMMIT).join("model.recsys")));
    let loaded: PopularityModel = hub.load(REPO, "main", "model.recsys").unwrap();
    assert_eq!(loaded, expected);
    // A commit hash needs no ref: that is how huggingface_hub caches pinned revisions.
    std::fs::remove_file(cache.join("models--acme--movie-popularity/refs/main")).unwrap();
    let pinned: PopularityModel = hub
        .offline(true)
        .load(REPO, COMMIT, "model.recsys")
        .unwrap();
    assert_eq!(pinned, expected);
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn missing_file_is_a_hub_error_naming_it() {
    let cache = hub_cache("missing", &[]);
    let hub = Hub::with_cache_dir(&cache, Some(OFFLINE_ENDPOINT)).unwrap();
    let reason = hub_reason(hub.load(REPO, "main", "model.recsys"));
    assert!(
        reason.contains("model.recsys") && reason.contains(REPO) && reason.contains("cannot reach"),
        "{reason}"
    );
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn cached_foreign_file_is_reported_with_its_path() {
    let cache = hub_cache("foreign", &[("model.recsys", b"{\"not\": \"a model\"}")]);
    let hub = Hub::with_cache_dir(&cache, Some(OFFLINE_ENDPOINT)).unwrap();
    match hub.load::<PopularityModel>(REPO, "main", "model.recsys") {
        Err(Error::CorruptArtifact { reason }) => {
            assert!(
                reason.contains("model.recsys") && reason.contains("JSON") && reason.contains(REPO),
                "{reason}"
            );
        }
        other => panic!("expected CorruptArtifact, got {other:?}"),
    }
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn download_then_cache_hit_then_offline() {
    let server = FakeHub::start();
    let expected = first_model();
    server.push(REPO, COMMIT, "model.recsys", &expected.to_bytes().unwrap());
    let cache = empty_cache("download");
    let hub = server.hub(&cache);

    let first = hub.fetch(REPO, "main", "model.recsys").unwrap();
    assert!(first.downloaded);
    assert_eq!(first.commit, COMMIT);
    assert_eq!(PopularityModel::load(&first.path).unwrap(), expected);
    assert_eq!(server.body_requests(), 1);
    // Laid out as huggingface_hub reads it: ref, snapshot link, blob.
    let repo = cache.join("models--acme--movie-popularity");
    assert_eq!(
        std::fs::read_to_string(repo.join("refs/main")).unwrap(),
        COMMIT
    );
    assert!(std::fs::symlink_metadata(&first.path)
        .unwrap()
        .file_type()
        .is_symlink());

    // A branch asks which commit it points at (the first byte only), then uses the cache.
    let requests = server.with_state(|s| s.requests.len());
    let second = hub.fetch(REPO, "main", "model.recsys").unwrap();
    assert!(!second.downloaded);
    assert_eq!(second.path, first.path);
    assert_eq!(server.body_requests(), 1);
    assert_eq!(server.with_state(|s| s.requests.len()), requests + 1);
    // A cached commit hash asks nothing.
    let pinned: PopularityModel = hub.load(REPO, COMMIT, "model.recsys").unwrap();
    assert_eq!(pinned, expected);
    assert_eq!(server.with_state(|s| s.requests.len()), requests + 1);

    // Offline, or with the endpoint gone, the cached copy is used.
    let offline: PopularityModel = hub
        .clone()
        .offline(true)
        .load(REPO, "main", "model.recsys")
        .unwrap();
    assert_eq!(offline, expected);
    let unreachable = Hub::with_cache_dir(&cache, Some(OFFLINE_ENDPOINT)).unwrap();
    assert_eq!(load(&unreachable, "main"), expected);
    let reason = hub_reason(hub.offline(true).load(REPO, "main", "other.recsys"));
    assert!(reason.contains("HF_HUB_OFFLINE"), "{reason}");
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn a_new_commit_on_the_branch_is_downloaded_and_the_old_one_stays_cached() {
    let server = FakeHub::start();
    server.push_model(COMMIT, &first_model());
    let cache = empty_cache("revision");
    let hub = server.hub(&cache);
    assert_eq!(load(&hub, "main"), first_model());

    server.push_model(NEXT_COMMIT, &second_model());
    let next = hub.fetch(REPO, "main", "model.recsys").unwrap();
    assert!(next.downloaded);
    assert_eq!(next.commit, NEXT_COMMIT);
    assert_eq!(PopularityModel::load(&next.path).unwrap(), second_model());

    let offline = hub.offline(true);
    assert_eq!(load(&offline, "main"), second_model());
    assert_eq!(load(&offline, COMMIT), first_model());
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn the_same_bytes_under_a_new_commit_are_not_downloaded_again() {
    let server = FakeHub::start();
    let bytes = first_model().to_bytes().unwrap();
    server.push(REPO, COMMIT, "model.recsys", &bytes);
    let cache = empty_cache("same-blob");
    let hub = server.hub(&cache);
    hub.fetch(REPO, "main", "model.recsys").unwrap();
    // A commit that changed another file: same etag, new snapshot.
    server.push(REPO, NEXT_COMMIT, "model.recsys", &bytes);
    let next = hub.fetch(REPO, "main", "model.recsys").unwrap();
    assert!(!next.downloaded);
    assert_eq!(next.commit, NEXT_COMMIT);
    assert_eq!(server.body_requests(), 1);
    assert_eq!(PopularityModel::load(&next.path).unwrap(), first_model());
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn not_found_is_a_clear_error() {
    let server = FakeHub::start();
    server.push_model(COMMIT, &first_model());
    let cache = empty_cache("404");
    let hub = server.hub(&cache);
    for (repo, revision, file) in [
        (REPO, "main", "nope.recsys"),
        ("acme/nope", "main", "model.recsys"),
        (REPO, "v9", "model.recsys"),
    ] {
        let reason = hub_reason(hub.load(repo, revision, file));
        assert!(
            reason.contains("404") && reason.contains(repo) && reason.contains(file),
            "{reason}"
        );
    }
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn a_private_repository_needs_the_token() {
    let server = FakeHub::start();
    server.push_model(COMMIT, &first_model());
    server.with_state(|s| s.private.insert(REPO.into(), "hf_secret".into()));
    let cache = empty_cache("private");
    let reason = hub_reason(server.hub(&cache).load(REPO, "main", "model.recsys"));
    assert!(
        reason.contains("401") && reason.contains("HF_TOKEN"),
        "{reason}"
    );
    let wrong = server.hub(&cache).with_token(Some("hf_wrong".into()));
    let reason = hub_reason(wrong.load(REPO, "main", "model.recsys"));
    assert!(reason.contains("no access"), "{reason}");
    // The token as Hub::from_env reads it: HF_TOKEN.
    let endpoint = server.endpoint.clone();
    let cache_dir = cache.to_str().unwrap().to_owned();
    let from_env = Hub::from_lookup(|name| match name {
        "HF_HUB_CACHE" => Some(cache_dir.clone()),
        "HF_HOME" => Some("/nonexistent".into()),
        "HF_ENDPOINT" => Some(endpoint.clone()),
        "HF_TOKEN" => Some("hf_secret".into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(load(&from_env, "main"), first_model());
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn an_endpoint_without_the_hub_headers_is_named() {
    for header in ["x-repo-commit", "etag", "content-range"] {
        let server = FakeHub::start();
        server.push_model(COMMIT, &first_model());
        server.with_state(|s| s.omit_header = Some(header));
        let cache = empty_cache("headers");
        let reason = hub_reason(server.hub(&cache).load(REPO, "main", "model.recsys"));
        assert!(
            reason.to_ascii_lowercase().contains(header) && reason.contains("HF_ENDPOINT"),
            "{header}: {reason}"
        );
        std::fs::remove_dir_all(&cache).unwrap();
    }
}

#[test]
fn a_corrupted_download_is_a_corrupt_artifact_naming_the_repository() {
    let server = FakeHub::start();
    let mut bytes = first_model().to_bytes().unwrap();
    // A flipped bit in the payload (the checksum catches it).
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    server.push(REPO, COMMIT, "model.recsys", &bytes);
    let cache = empty_cache("corrupt");
    match server
        .hub(&cache)
        .load::<PopularityModel>(REPO, "main", "model.recsys")
    {
        Err(Error::CorruptArtifact { reason }) => assert!(
            reason.contains(REPO) && reason.contains(COMMIT) && reason.contains("checksum"),
            "{reason}"
        ),
        other => panic!("expected CorruptArtifact, got {other:?}"),
    }
    // Fixed upstream by a new commit: the next load picks it up.
    server.push_model(NEXT_COMMIT, &first_model());
    assert_eq!(load(&server.hub(&cache), "main"), first_model());
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn an_incomplete_download_is_an_error_and_is_not_cached() {
    let server = FakeHub::start();
    server.push_model(COMMIT, &first_model());
    server.with_state(|s| s.missing_bytes = 100);
    let cache = empty_cache("short");
    let reason = hub_reason(server.hub(&cache).load(REPO, "main", "model.recsys"));
    assert!(reason.contains("incomplete download"), "{reason}");
    let reason = hub_reason(
        server
            .hub(&cache)
            .offline(true)
            .load(REPO, "main", "model.recsys"),
    );
    assert!(reason.contains("not in the local cache"), "{reason}");
    // Once the server sends the whole file, the download succeeds.
    server.with_state(|s| s.missing_bytes = 0);
    assert_eq!(load(&server.hub(&cache), "main"), first_model());
    std::fs::remove_dir_all(&cache).unwrap();
}
