//! Who read what through a community (see `domain::usage`): reads are
//! counted in memory as they happen (`app::usage_recorder`, held by the
//! `Context`) and written to the store in batches by a background task
//! (`flush`).

pub mod flush;
