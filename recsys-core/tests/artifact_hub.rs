//! `artifact::hub` against a Hub cache laid out on disk by the test (no network: the endpoint
//! points at a closed local port, so any download attempt fails at once).
#![cfg(feature = "hub")]

use std::path::{Path, PathBuf};

use recsys_core::artifact::hub::Hub;
use recsys_core::artifact::Artifact;
use recsys_core::data::Interactions;
use recsys_core::models::popularity::{PopularityConfig, PopularityModel};
use recsys_core::Error;

const REPO: &str = "acme/movie-popularity";
const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
/// Port 9 (discard) is closed on test machines; connecting fails immediately.
const OFFLINE_ENDPOINT: &str = "http://127.0.0.1:9";

fn model() -> PopularityModel {
    let m = Interactions::from_triplets(3, 4, &[(0, 1, 1.0), (1, 1, 2.0), (2, 3, 1.0)]).unwrap();
    PopularityConfig::new().fit(&m).unwrap()
}

/// Lays out `$cache/models--acme--movie-popularity/{blobs,snapshots/<commit>,refs/main}` the
/// way the Hub clients do, with `files` stored as blobs and linked from the snapshot.
fn hub_cache(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let cache = std::env::temp_dir().join(format!("recsys-hub-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
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

#[test]
fn cached_artifact_loads_without_network() {
    let expected = model();
    let cache = hub_cache("ok", &[("model.recsys", &expected.to_bytes().unwrap())]);
    let hub = Hub::with_cache_dir(&cache, Some(OFFLINE_ENDPOINT)).unwrap();
    let path = hub.download(REPO, "main", "model.recsys").unwrap();
    assert!(path.ends_with(Path::new(COMMIT).join("model.recsys")));
    let loaded: PopularityModel = hub.load(REPO, "main", "model.recsys").unwrap();
    assert_eq!(loaded, expected);
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn missing_file_is_a_hub_error_naming_it() {
    let cache = hub_cache("missing", &[]);
    let hub = Hub::with_cache_dir(&cache, Some(OFFLINE_ENDPOINT)).unwrap();
    match hub.load::<PopularityModel>(REPO, "main", "model.recsys") {
        Err(Error::Hub { reason }) => {
            assert!(
                reason.contains("model.recsys") && reason.contains(REPO),
                "{reason}"
            );
        }
        other => panic!("expected Error::Hub, got {other:?}"),
    }
    std::fs::remove_dir_all(&cache).unwrap();
}

#[test]
fn cached_foreign_file_is_reported_with_its_path() {
    let cache = hub_cache("foreign", &[("model.recsys", b"{\"not\": \"a model\"}")]);
    let hub = Hub::with_cache_dir(&cache, Some(OFFLINE_ENDPOINT)).unwrap();
    match hub.load::<PopularityModel>(REPO, "main", "model.recsys") {
        Err(Error::CorruptArtifact { reason }) => {
            assert!(
                reason.contains("model.recsys") && reason.contains("JSON"),
                "{reason}"
            );
        }
        other => panic!("expected CorruptArtifact, got {other:?}"),
    }
    std::fs::remove_dir_all(&cache).unwrap();
}
