//! Who read what through a community (see `domain::usage`): reads are
//! counted in memory as they happen (`app::usage_recorder`, held by the
//! `Context`), written to the store in batches by a background task
//! (`flush`), and reported per community to the tenants whose streams were
//! read and to the readers (`report`).

pub mod flush;
pub mod report;
