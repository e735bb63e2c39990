//! Models from the Hugging Face Hub: the core's `artifact::hub` (the same cache, environment
//! variables and errors as Rust), and what a model card reads from an artifact's header.

use pyo3::prelude::*;
use recsys_core::artifact::{self, hub::Hub};

use crate::error::CoreResult;

/// The core's Hub client from the environment (`HF_HUB_CACHE`/`HF_HOME`, `HF_ENDPOINT`,
/// `HF_TOKEN`, `HF_HUB_OFFLINE`), with the caller's token and offline switch on top.
pub fn client(token: Option<String>, local_files_only: bool) -> CoreResult<Hub> {
    let hub = Hub::from_env()?;
    let hub = if token.is_some() {
        hub.with_token(token)
    } else {
        hub
    };
    Ok(if local_files_only {
        hub.offline(true)
    } else {
        hub
    })
}

/// `(local path, commit, downloaded)` of `filename` in the model repository `repo_id` at
/// `revision`, found in the Hub cache or downloaded into it (GIL released).
#[pyfunction]
#[pyo3(signature = (repo_id, revision, filename, token=None, local_files_only=false))]
pub fn hub_download(
    py: Python<'_>,
    repo_id: &str,
    revision: &str,
    filename: &str,
    token: Option<String>,
    local_files_only: bool,
) -> CoreResult<(std::path::PathBuf, String, bool)> {
    let hub = client(token, local_files_only)?;
    let file = py.detach(|| hub.fetch(repo_id, revision, filename))?;
    Ok((file.path, file.commit, file.downloaded))
}

/// `(format version, kind, payload length, fingerprint)` of an artifact's bytes, checked.
#[pyfunction]
pub fn artifact_info(data: &[u8]) -> CoreResult<(u32, String, u64, String)> {
    let info = artifact::inspect(data)?;
    Ok((
        info.format_version,
        info.kind,
        info.payload_len,
        artifact::fingerprint(data)?,
    ))
}
