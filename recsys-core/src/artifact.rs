//! Model artifacts (being written).
