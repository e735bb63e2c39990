//! Evaluation: splits and metrics (being written).
