//! Stream values: insert, update, replace, remove (`write`), and the reads
//! at an index, first, last, a window, a range (`read`), and the joined
//! windows of several streams (`join`), summaries and sampled values.
//! Every read is a key range.

mod answer;
mod boundary;
mod counted;
mod index_text;
mod interpolated;
mod join;
mod join_interpolated;
pub mod range_scan;
mod read;
pub mod sampled;
mod scan;
pub mod summaries;
mod walk;
mod write;

pub use answer::{Answer, READ_LIMIT};
pub use boundary::Boundaries;
pub use interpolated::{event_at, interpolator, stream_type, Indexes};
pub use join::{join, JoinRead, MAX_JOINED_STREAMS};
pub use read::{read, read_stream, Read};
pub use write::{remove, write, Removal, WriteMode, WRITE_LIMIT};
