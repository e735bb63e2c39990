-- Profile: the onboarding quiz's weighted favourites and whether the quiz was answered.
-- PostgreSQL twin of migrations/sqlite/0002_profile.sql: weights are BIGINT (read as i64).

CREATE TABLE favorite_genres (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The catalogue's spelling of the genre.
    genre TEXT NOT NULL,
    -- 1 to 3 stars: how much the user likes it.
    weight BIGINT NOT NULL CHECK (weight BETWEEN 1 AND 3),
    PRIMARY KEY (user_id, genre)
);

CREATE TABLE favorite_people (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    weight BIGINT NOT NULL CHECK (weight BETWEEN 1 AND 3),
    PRIMARY KEY (user_id, person_id)
);

-- One row per account that answered (`done`) or skipped the quiz; no row: not asked yet.
CREATE TABLE onboarding (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('done', 'skipped')),
    updated_at BIGINT NOT NULL
);
