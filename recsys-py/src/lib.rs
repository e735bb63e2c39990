//! Python bindings for recsys (in progress: see the recsys-py issue).
