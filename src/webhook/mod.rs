//! Sending webhook deliveries: the worker that claims and tries them
//! (`worker`) and one signed POST to one endpoint (`sender`).

pub mod sender;
pub mod worker;
