-- Named lists of movies (public or private) and the validation metrics of each training.

CREATE TABLE lists (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_public BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX lists_user ON lists (user_id);

CREATE TABLE list_items (
    list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    movie_id TEXT NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (list_id, movie_id)
);

-- Held-out validation of a training (JSON of the core's eval report), by model row.
CREATE TABLE model_metrics (
    model_id BIGINT PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
    metrics TEXT NOT NULL
);
