-- Indexes for the hot queries (checked with EXPLAIN in tests/indexes.rs): a user's history
-- newest first, the watchlist in order, the retrain trigger's count of recent feedback, and
-- the search's year filter. Same text in migrations/postgres/.

CREATE INDEX feedback_user_time ON feedback (user_id, updated_at);
CREATE INDEX feedback_time ON feedback (updated_at);
CREATE INDEX watchlist_user_time ON watchlist (user_id, added_at);
CREATE INDEX watchlist_time ON watchlist (added_at);
CREATE INDEX movies_year ON movies (year);
