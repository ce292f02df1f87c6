//! PxWeb API 2.0 over a release: selections as the API expresses them, problems (errors), and
//! the output formats (JSON-stat 2.0, CSV, Excel). The HTTP server and the command line (`query`)
//! share it, so a selection means the same everywhere.

mod cells;
pub mod csv;
pub mod jsonstat;
mod problem;
pub mod selection;
pub mod xlsx;

pub use cells::{for_each_cell, format_value, round};
pub use problem::Problem;
pub use selection::Selection;
