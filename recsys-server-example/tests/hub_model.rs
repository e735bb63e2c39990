//! `HF_MODEL_REPO`: the server's model from a Hugging Face Hub cache laid out on disk (the
//! endpoint is a closed local port, so nothing is downloaded; the download itself is tested
//! in recsys-core's `artifact_hub` against a local Hub-like server).
#![cfg(feature = "hub")]

mod common;

use recsys_core::artifact::hub::Hub;
use recsys_core::prelude::{Artifact, Recommender};
use recsys_server::config::HubModel;
use recsys_server::model::{load_from_hub, web_artifact_path};

const COMMIT: &str = "00112233445566778899aabbccddeeff00112233";

#[tokio::test]
async fn a_hub_model_becomes_the_served_and_the_browser_artifact() {
    let test = common::TestApp::new().await;
    let trained = test.state.model.load_full();
    let dir = std::env::temp_dir().join(format!("recsys-server-hub-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let repo = dir.join("cache/models--acme--movies");
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::create_dir_all(repo.join("snapshots").join(COMMIT).join("web")).unwrap();
    std::fs::write(repo.join("refs/main"), COMMIT).unwrap();
    trained
        .save(repo.join("snapshots").join(COMMIT).join("web/model.recsys"))
        .unwrap();
    let hub = Hub::with_cache_dir(dir.join("cache"), Some("http://127.0.0.1:9")).unwrap();
    let source = HubModel {
        repo_id: "acme/movies".into(),
        revision: "main".into(),
        filename: "web/model.recsys".into(),
    };
    let artifact = dir.join("data/model.recsys");
    std::fs::create_dir_all(artifact.parent().unwrap()).unwrap();

    let (loaded, commit) = load_from_hub(hub.clone(), &source, &artifact)
        .await
        .unwrap();
    assert_eq!(commit, COMMIT);
    assert_eq!(loaded.fingerprint(), trained.fingerprint());
    assert_eq!(
        Recommender::load(&artifact).unwrap().fingerprint(),
        trained.fingerprint()
    );
    assert!(web_artifact_path(&artifact).is_file());

    let missing = HubModel {
        filename: "nope.recsys".into(),
        ..source
    };
    let err = load_from_hub(hub, &missing, &artifact).await.unwrap_err();
    assert!(err.to_string().contains("nope.recsys"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
