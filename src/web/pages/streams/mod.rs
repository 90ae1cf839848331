//! Stream pages: a stream of the visitor's own tenant, a stream a partner
//! shares through a community (both with their values as tables and a
//! chart), and sharing streams into a community.

mod chart;
pub mod defaults;
pub mod own;
pub mod partner;
pub mod share;
mod values;
