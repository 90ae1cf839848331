//! communityd: communities of tenants that share data.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod mail;
pub mod operator;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod templates;
pub mod web;
pub mod webhook;
