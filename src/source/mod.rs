//! Where a source's data lives, and the one seam through which the commands and the audit
//! reach it. A [`Source`] answers four questions: its column names, the named columns as
//! dictionary codes, the named columns as a polars frame (for views that are generalised,
//! joined or listed), and the class table of some quasi-identifiers with their sensitive
//! attributes and entity. A file answers them by reading; a database (PostgreSQL, or Spark
//! through Spark Connect) answers the same questions, the class table by a `GROUP BY` where
//! the data lives.
//!
//! The guard that turns a reader's panic into one line naming the source wraps each answer
//! here, once ([`Source::guarded`]); the readers of [`crate::io`] below it do not guard
//! themselves.

mod class_table;
pub mod database;
pub mod postgres;
pub mod spark;
pub mod sql;

use polars::prelude::*;

pub use class_table::{CLASS_COLUMN, PEOPLE_COLUMN, RECORDS_COLUMN};

use crate::Result;
use crate::engine::encode::{encode_coded, encode_frame};
use crate::engine::{ClassTable, EncodedColumn, NullMode, split_view, take_column};
use crate::io::coded::CodedColumn;
use crate::io::{InputFormat, LoadOptions, SourceColumns};

/// How long a database server may take to accept a connection (PostgreSQL) or a statement
/// (Spark), unless `LINKRISK_CONNECT_TIMEOUT` says otherwise in seconds: a peer that is silent
/// beyond it is reported rather than waited for.
pub(crate) fn answer_timeout() -> std::time::Duration {
    const DEFAULT_SECONDS: u64 = 30;
    let seconds = std::env::var("LINKRISK_CONNECT_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .unwrap_or(DEFAULT_SECONDS);
    std::time::Duration::from_secs(seconds)
}

/// Where a source's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A file (CSV, gzip CSV, Parquet, Arrow IPC, NDJSON), or `-` for standard input.
    File(String),
    /// A table or query in a database: PostgreSQL or a Spark Connect server.
    Database(Box<database::Database>),
}

/// A source of records, and how to read it.
#[derive(Debug, Clone)]
pub struct Source {
    location: Location,
    load: LoadOptions,
    /// The data is a class table written elsewhere (cells with their counts), not records.
    cells: bool,
}

/// What a class table is asked for.
#[derive(Debug, Clone, Copy)]
pub struct ClassQuery<'a> {
    /// The quasi-identifiers: the class key.
    pub qis: &'a [String],
    /// The sensitive attributes, counted per class.
    pub sensitive: &'a [String],
    /// The column naming the person: classes of people rather than of rows.
    pub entity: Option<&'a str>,
    /// Whether a missing QI value is a value of its own or a wildcard (rows only).
    pub nulls: NullMode,
    /// Keep each record's (or person's) class, for `--records` and `--show-values`.
    pub membership: bool,
}

/// A class table and the rows it was built from.
pub struct Classes {
    /// The table every metric reads.
    pub table: ClassTable,
    /// Rows read.
    pub rows: usize,
}

impl Source {
    /// A file read with `load`.
    pub fn file(path: impl Into<String>, load: LoadOptions) -> Source {
        Source {
            location: Location::File(path.into()),
            load,
            cells: false,
        }
    }

    /// A class table written elsewhere (`linkrisk sql`'s result, docs/class-table.md), read
    /// with `load`: its class table is read, not built.
    pub fn class_table_file(path: impl Into<String>, load: LoadOptions) -> Source {
        Source {
            cells: true,
            ..Source::file(path, load)
        }
    }

    /// A table or query in a database (`postgresql://user@host:port/db`, `sc://host:port`).
    pub fn database(url: &str, records: sql::Records, load: LoadOptions) -> Result<Source> {
        Ok(Source {
            location: Location::Database(Box::new(database::Database::open(url, records)?)),
            load,
            cells: false,
        })
    }

    /// Where `location` says: a database URL (PostgreSQL, Spark Connect) with its `table` or
    /// `query`, else a file (or a class-table file when `cells`).
    pub fn open(
        location: &str,
        table: Option<&str>,
        query: Option<&str>,
        load: LoadOptions,
        cells: bool,
    ) -> Result<Source> {
        if database::is_url(location) {
            if cells {
                crate::bail!(
                    "--class-table reads a file; a database computes its class table itself"
                );
            }
            let Some(records) = sql::Records::of(table, query) else {
                crate::bail!(
                    "{} is a database: give --table T or --query SQL",
                    crate::escape::name(&crate::escape::redact_url(location))
                );
            };
            return Source::database(location, records, load);
        }
        if table.is_some() || query.is_some() {
            crate::bail!(
                "--table and --query name the records of a database URL (postgresql://... or sc://...), not of a file"
            );
        }
        Ok(if cells {
            Source::class_table_file(location, load)
        } else {
            Source::file(location, load)
        })
    }

    /// Whether the source is a class table rather than records.
    pub fn is_class_table(&self) -> bool {
        self.cells
    }

    /// Where the data lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// How it is read.
    pub fn load_options(&self) -> &LoadOptions {
        &self.load
    }

    /// The source as messages name it (a path, escaped where shown).
    pub fn name(&self) -> &str {
        match &self.location {
            Location::File(path) => path,
            Location::Database(db) => db.shown(),
        }
    }

    /// The size and SHA-256 of the source's bytes, for a report's provenance; `None` where
    /// the data is read once (standard input, a pipe).
    pub fn fingerprint(&self) -> Result<Option<(u64, String)>> {
        match &self.location {
            Location::File(path) => crate::io::fingerprint(std::path::Path::new(path)),
            Location::Database(_) => Ok(None),
        }
    }

    /// Runs one read of the source, turning a reader's panic (polars fails on a few inputs it
    /// cannot represent) into one line naming the source, in the words its format calls for.
    pub fn guarded<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        let path = match &self.location {
            Location::File(path) => path,
            Location::Database(_) => return read(),
        };
        let parquet = match self.load.format {
            Some(format) => format == InputFormat::Parquet,
            None => crate::io::format_from_path(path) == Some(InputFormat::Parquet),
        };
        let what = if parquet {
            "is not a valid Parquet file, or holds a column linkrisk cannot read (e.g. an \
             interval or a 256-bit decimal)"
        } else {
            "holds a column or an encoding linkrisk cannot read (e.g. an interval, a 256-bit \
             decimal, or a damaged file); convert that column to text or numbers"
        };
        crate::io::guard::reading_as(path, what, read)
    }

    /// The source's column names, in its order.
    pub fn column_names(&self) -> Result<Vec<String>> {
        let path = match &self.location {
            Location::File(path) => path,
            Location::Database(db) => return db.column_names(),
        };
        self.guarded(|| {
            let mut lf = crate::io::scan(path, &self.load)?;
            crate::io::column_names(&mut lf, path)
        })
    }

    /// The named columns (and only those) as a frame, after the missing-value rule; refuses a
    /// source without data rows.
    pub fn frame(&self, names: &[String]) -> Result<DataFrame> {
        self.frame_generalized(names, &[]).map(|(df, _)| df)
    }

    /// [`Source::frame`], with `rules` applied where the data lives when it is a database;
    /// returns the frame and whether the rules were applied (a file's are left to the caller).
    pub fn frame_generalized(
        &self,
        names: &[String],
        rules: &[(String, sql::TextRule)],
    ) -> Result<(DataFrame, bool)> {
        let path = match &self.location {
            Location::File(path) => path,
            Location::Database(db) => {
                self.require(names)?;
                let per_name: Vec<Option<sql::TextRule>> = names
                    .iter()
                    .map(|n| rules.iter().find(|(c, _)| c == n).map(|(_, r)| *r))
                    .collect();
                return Ok((db.frame(names, &per_name)?, true));
            }
        };
        Ok((
            self.guarded(|| crate::io::load(path, names, &self.load))?,
            false,
        ))
    }

    /// The named columns as dictionary codes, in the order asked, and the row count: straight
    /// from a plain CSV or Parquet file, else through a frame.
    pub fn coded_columns(&self, names: &[String]) -> Result<(Vec<CodedColumn>, usize)> {
        let path = match &self.location {
            Location::File(path) => path,
            Location::Database(db) => {
                // The server groups the records on the named columns; only the distinct
                // tuples and their counts come back, and each tuple is repeated here as
                // often as it occurs (a table has no row order to keep).
                self.require(names)?;
                let cells = db.class_cells(names, &[], None)?;
                let counts = cells.column(RECORDS_COLUMN)?.i64()?.clone();
                let rows: usize = counts.iter().flatten().map(|n| n.max(0) as usize).sum();
                crate::budget::check(rows as u64 * 4 * names.len() as u64, || {
                    format!("the {} named columns of {}", names.len(), db.shown())
                })?;
                let columns = names
                    .iter()
                    .map(|n| {
                        let grouped = crate::engine::compare::coded_column(cells.column(n)?)?;
                        let mut codes = Vec::with_capacity(rows);
                        for (&code, n) in grouped.codes.iter().zip(counts.iter()) {
                            codes.extend(std::iter::repeat_n(code, n.unwrap_or(0).max(0) as usize));
                        }
                        Ok(CodedColumn { codes, ..grouped })
                    })
                    .collect::<Result<Vec<_>>>()?;
                return Ok((columns, rows));
            }
        };
        let (mut columns, rows) = self.guarded(|| {
            Ok(match crate::io::read_columns(path, names, &self.load)? {
                SourceColumns::Coded(columns, rows) => (columns, rows),
                SourceColumns::Frame(df) => {
                    let columns = names
                        .iter()
                        .map(|n| crate::engine::compare::coded_column(df.column(n)?))
                        .collect::<Result<Vec<_>>>()?;
                    (columns, df.height())
                }
            })
        })?;
        let mut ordered = Vec::with_capacity(names.len());
        for name in names {
            let at = columns
                .iter()
                .position(|c| &c.name == name)
                .ok_or_else(|| {
                    crate::invalid!(
                        "{}",
                        crate::escape::missing_column(path, name, std::iter::empty())
                    )
                })?;
            ordered.push(columns.swap_remove(at));
        }
        Ok((ordered, rows))
    }

    /// The QI and sensitive columns encoded for a class table (a column may be both), and the
    /// row count.
    #[allow(clippy::type_complexity)]
    pub fn encoded(
        &self,
        qis: &[String],
        sensitive: &[String],
    ) -> Result<(Vec<EncodedColumn>, Vec<EncodedColumn>, usize)> {
        let mut names: Vec<String> = qis.to_vec();
        names.extend(sensitive.iter().filter(|s| !qis.contains(s)).cloned());
        let path = match &self.location {
            Location::File(path) => path,
            Location::Database(_) => {
                let df = self.frame(&names)?;
                let rows = df.height();
                let encoded = encode_frame(df, &names, sensitive)?;
                let (qi_cols, sens_cols) = split_view(encoded, qis, sensitive);
                return Ok((qi_cols, sens_cols, rows));
            }
        };
        let timer = crate::timing::Timer::start();
        let (encoded, rows) =
            match self.guarded(|| crate::io::read_columns(path, &names, &self.load))? {
                SourceColumns::Coded(coded, rows) => {
                    timer.lap("read as codes");
                    (encode_coded(coded, sensitive)?, rows)
                }
                SourceColumns::Frame(df) => {
                    timer.lap("read");
                    let rows = df.height();
                    (encode_frame(df, &names, sensitive)?, rows)
                }
            };
        let (qi_cols, sens_cols) = split_view(encoded, qis, sensitive);
        Ok((qi_cols, sens_cols, rows))
    }

    /// Refuses names that are not columns of the source, with a suggestion.
    fn require(&self, names: &[String]) -> Result<()> {
        let columns = self.column_names()?;
        if let Some(missing) = names.iter().find(|n| !columns.contains(n)) {
            crate::bail!(
                "{} has no column {}{}",
                self.name(),
                crate::escape::name(missing),
                crate::escape::suggestion(missing, columns.iter().map(String::as_str))
                    .map(|c| format!(" (did you mean {}?)", crate::escape::name(c)))
                    .unwrap_or_default()
            );
        }
        Ok(())
    }

    /// The class table of `query.qis` (with its sensitive attributes, per person with an
    /// entity), built in one pass where the data is read.
    pub fn class_table(&self, query: &ClassQuery) -> Result<Classes> {
        if self.cells {
            return class_table::read(self, query);
        }
        if let Location::Database(db) = &self.location
            && !query.membership
        {
            // The server groups; only the cells come back.
            let mut names = query.qis.to_vec();
            names.extend(query.sensitive.iter().cloned());
            names.extend(query.entity.map(str::to_string));
            self.require(&names)?;
            let cells = db.class_cells(query.qis, query.sensitive, query.entity)?;
            return class_table::from_cells(&cells, query, db.shown());
        }
        let mut read = query.qis.to_vec();
        read.extend(query.entity.map(str::to_string));
        let (mut qi_cols, sens_cols, rows) = self.encoded(&read, query.sensitive)?;
        let table = match query.entity {
            Some(entity) => {
                let entity_col = take_column(&mut qi_cols, entity);
                ClassTable::build_entities(qi_cols, &sens_cols, &entity_col, rows, query.membership)
            }
            None => ClassTable::build(qi_cols, &sens_cols, rows, query.nulls, query.membership),
        };
        Ok(Classes { table, rows })
    }
}
