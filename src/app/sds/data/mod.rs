//! Stream values: insert, update, replace, remove (`write`), and the reads
//! at an index, first, last, a window, a range (`read`). Every read is a
//! key range.

mod counted;
mod index_text;
pub mod range_scan;
mod read;
pub mod sampled;
pub mod summaries;
mod write;

pub use read::{read, read_stream, Answer, Read, READ_LIMIT};
pub use write::{remove, write, Removal, WriteMode, WRITE_LIMIT};
