//! Integration tests: the real server on a random port with a temp data dir.
//! One test binary for all of them, to keep link time down.

mod authorization_matrix;
mod backup_tables;
mod clients;
mod communities;
mod community_roles;
mod community_tenants;
mod credentials;
mod delivery;
mod durability;
mod fuzz;
mod handshake;
mod health;
mod helpers;
mod hostile;
mod identity;
mod interleavings;
mod layers;
mod metrics;
mod names;
mod openapi;
mod operator;
mod pages;
mod paused;
mod portal;
mod portal_matrix;
mod process;
mod sds_access;
mod sds_data;
mod sds_fixtures;
mod shared_streams;
mod side_doors;
mod smtp;
mod startup;
mod tenants;
mod upgrade;
