//! WebAssembly bindings for recsys (in progress).
