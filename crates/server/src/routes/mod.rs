//! The routes, a router per resource: the PxWeb API's table operations (`api`), saved queries
//! (`saved`), Samtalebank's own endpoints (`ext`), the web pages (`pages`) and the admin API
//! (`admin`). Each imports only the leaf modules below it (`respond`, `select`, `saved_store`,
//! `state`), never another route module.

pub mod admin;
pub mod api;
pub mod ext;
pub mod pages;
pub mod saved;
