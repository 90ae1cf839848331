//! Integration tests: the real server on a random port with a temp data dir.
//! One test binary for all of them, to keep link time down.

mod authorization_matrix;
mod clients;
mod communities;
mod community_roles;
mod community_tenants;
mod delivery;
mod durability;
mod fuzz;
mod handshake;
mod helpers;
mod identity;
mod interleavings;
mod names;
mod pages;
mod paused;
mod portal;
mod process;
mod side_doors;
mod smtp;
mod tenants;
