//! A database or a lake that computes class tables where the data lives: PostgreSQL
//! (`postgresql://`) or Spark Connect (`sc://`). Each answers the same questions in its own
//! SQL dialect; the [`super::Source`] seam sees one kind of location.

use polars::prelude::DataFrame;

use super::postgres::{self, Postgres};
use super::spark::{self, Spark};
use super::sql::{Records, TextRule};
use crate::Result;

/// A database source: a table or a query in a server.
#[derive(Debug, Clone)]
pub enum Database {
    /// A PostgreSQL table or query.
    Postgres(Postgres),
    /// A table or query in a Spark Connect server.
    Spark(Spark),
}

impl PartialEq for Database {
    fn eq(&self, other: &Self) -> bool {
        self.shown() == other.shown()
    }
}

impl Eq for Database {}

/// Whether `text` is the URL of a database linkrisk reaches (`postgresql://`, `sc://`).
pub fn is_url(text: &str) -> bool {
    postgres::is_url(text) || spark::is_url(text)
}

impl Database {
    /// The database at `url`, reading `records`.
    pub fn open(url: &str, records: Records) -> Result<Database> {
        Ok(if spark::is_url(url) {
            Database::Spark(Spark::open(url, records)?)
        } else {
            Database::Postgres(Postgres::open(url, records)?)
        })
    }

    /// How messages and reports name the source (never with a secret).
    pub fn shown(&self) -> &str {
        match self {
            Database::Postgres(pg) => pg.shown(),
            Database::Spark(sc) => sc.shown(),
        }
    }

    /// The columns of the records, in order.
    pub fn column_names(&self) -> Result<Vec<String>> {
        match self {
            Database::Postgres(pg) => pg.column_names(),
            Database::Spark(sc) => sc.column_names(),
        }
    }

    /// The cells of a class table computed where the data lives: the QI and sensitive columns
    /// as text, `__records` (and `__class`, `__people` per person) as 64-bit counts.
    pub fn class_cells(
        &self,
        qis: &[String],
        sensitive: &[String],
        entity: Option<&str>,
    ) -> Result<DataFrame> {
        match self {
            Database::Postgres(pg) => pg.class_cells(qis, sensitive, entity),
            Database::Spark(sc) => sc.class_cells(qis, sensitive, entity),
        }
    }

    /// The named columns of every record as text, each with its rule (one per name) applied
    /// where the data lives, checked against the memory budget first.
    pub fn frame(&self, names: &[String], rules: &[Option<TextRule>]) -> Result<DataFrame> {
        match self {
            Database::Postgres(pg) => pg.frame(names, rules),
            Database::Spark(sc) => sc.frame(names, rules),
        }
    }
}
