//! Example movie web application on recsys (in progress).
