// Where the demo reads its model: `ml-100k.recsys` beside the page, or a Hugging Face Hub
// file named in the page's query string (`?hub=org/name&revision=main&file=model.recsys`,
// `&endpoint=` for a mirror), fetched from the Hub's download URL
// `{endpoint}/{repo}/resolve/{revision}/{file}` (public repositories: the Hub answers with
// CORS headers; never put a token in a page).

/** The default Hub, as `HF_ENDPOINT` defaults to in Rust and Python. */
export const HUB_ENDPOINT = "https://huggingface.co";

/**
 * The download URL of `filename` in the model repository `repo` at `revision` (a branch, tag
 * or commit; a `/` in it, as in `refs/pr/1`, is escaped as `%2F`).
 * @param {string} repo "org/name"
 * @param {{revision?: string, filename?: string, endpoint?: string}} [options]
 * @returns {string}
 */
export function hubUrl(repo, { revision = "main", filename = "model.recsys", endpoint = HUB_ENDPOINT } = {}) {
  const parts = repo.split("/");
  if (parts.length !== 2 || parts.some((part) => part === "" || part === "." || part === "..")) {
    throw new Error(`${JSON.stringify(repo)} is not a repository id such as "org/name"`);
  }
  if (!revision || revision.split("/").includes("..")) throw new Error(`bad revision ${JSON.stringify(revision)}`);
  const path = filename.split("/");
  if (!filename || path.some((part) => part === "" || part === "." || part === "..")) {
    throw new Error(`${JSON.stringify(filename)} is not a file path inside the repository`);
  }
  const base = endpoint.replace(/\/+$/, "");
  const file = path.map(encodeURIComponent).join("/");
  return `${base}/${parts.map(encodeURIComponent).join("/")}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/**
 * The model URL a page's query string asks for: a Hub file when `hub` is given, else `fallback`.
 * @param {URLSearchParams} params
 * @param {string} fallback
 * @returns {string}
 */
export function modelUrl(params, fallback) {
  const repo = params.get("hub");
  if (!repo) return fallback;
  return hubUrl(repo, {
    revision: params.get("revision") || undefined,
    filename: params.get("file") || undefined,
    endpoint: params.get("endpoint") || undefined,
  });
}
