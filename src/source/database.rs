//! A database or a lake that computes class tables where the data lives: PostgreSQL
//! (`postgresql://`) or Spark Connect (`sc://`). Each answers the same questions in its own
//! SQL dialect; the [`super::Source`] seam sees one kind of location.

use polars::prelude::DataFrame;

use super::postgres::{self, Postgres};
use super::spark::{self, Spark};
use super::sql::{ClassTableQuery, Dialect, Records, TextRule, class_table_sql, fetched_value};
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

    /// The SQL dialect its statements are written in.
    fn dialect(&self) -> Dialect {
        match self {
            Database::Postgres(_) => Dialect::Postgres,
            Database::Spark(_) => Dialect::Spark,
        }
    }

    /// The records its statements read.
    fn records(&self) -> &Records {
        match self {
            Database::Postgres(pg) => pg.records(),
            Database::Spark(sc) => sc.records(),
        }
    }

    /// The number of records.
    fn rows(&self) -> Result<u64> {
        match self {
            Database::Postgres(pg) => pg.rows(),
            Database::Spark(sc) => sc.rows(),
        }
    }

    /// The cells of a class table computed where the data lives (`linkrisk sql`'s statement):
    /// the QI and sensitive columns as text, `__records` (and `__class`, `__people` per
    /// person) as 64-bit counts.
    pub fn class_cells(
        &self,
        qis: &[String],
        sensitive: &[String],
        entity: Option<&str>,
    ) -> Result<DataFrame> {
        let sql = class_table_sql(
            self.dialect(),
            &ClassTableQuery {
                relation: self.records().relation(),
                qis,
                sensitive,
                entity,
            },
        )?;
        match self {
            Database::Postgres(pg) => pg.class_cells(&sql),
            Database::Spark(sc) => sc.class_cells(&sql),
        }
    }

    /// The named columns of every record as text (an empty text missing), each with its rule
    /// (one per name) applied where the data lives; the row count is checked against the
    /// memory budget first, and a source without rows is refused.
    pub fn frame(&self, names: &[String], rules: &[Option<TextRule>]) -> Result<DataFrame> {
        let rows = self.rows()?;
        // Per value: a string view (16 bytes), its bytes (about 16) and the receive buffer.
        crate::budget::check(rows.saturating_mul(40 * names.len().max(1) as u64), || {
            format!("fetching {} columns of {}", names.len(), self.shown())
        })?;
        let d = self.dialect();
        let select = names
            .iter()
            .zip(rules)
            .map(|(n, rule)| format!("{} AS {}", fetched_value(d, n, *rule), d.quote(n)))
            .collect::<Vec<_>>()
            .join(", ");
        let select = format!("SELECT {select} FROM {}", self.records().from_item(d));
        let df = match self {
            Database::Postgres(pg) => pg.fetch(&select, names)?,
            Database::Spark(sc) => sc.fetch(&select)?,
        };
        if df.height() == 0 {
            crate::bail!("{} has no data rows", self.shown());
        }
        Ok(df)
    }
}
