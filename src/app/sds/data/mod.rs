//! Stream values: insert, update, replace, remove (`write`), and the reads
//! at an index, first, last, a window, a range (`read`). Every read is a
//! key range.

mod boundary;
mod counted;
mod index_text;
mod interpolated;
mod read;
mod write;

pub use boundary::Boundaries;
pub use interpolated::{event_at, interpolator, stream_type, Indexes};
pub use read::{read, read_stream, Answer, Read, READ_LIMIT};
pub use write::{remove, write, Removal, WriteMode, WRITE_LIMIT};
