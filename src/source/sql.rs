//! One `SELECT` whose result is a class table (docs/class-table.md), for each SQL engine a
//! retailer's data lives in: the database groups the records, and only the classes travel.
//!
//! The statement follows the local engine's rules: values are compared as text (each QI and
//! sensitive value cast to the engine's text type), an empty text is missing, and a missing
//! value is a class of its own (`GROUP BY` keeps NULLs together). Per person, each row's tuple
//! is written injectively (every value prefixed by its length, a missing one as `-`), a
//! person's class is their rows' tuples sorted and joined (their multiset, written
//! canonically), and a row without a person is a person of its own (numbered by
//! `ROW_NUMBER()`).

use std::fmt::Write as _;

use super::class_table::{CLASS_COLUMN, PEOPLE_COLUMN, RECORDS_COLUMN};
use crate::Result;

/// An SQL engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// Apache Spark SQL (and Databricks).
    Spark,
    /// DuckDB.
    Duckdb,
    /// Google BigQuery (GoogleSQL).
    Bigquery,
    /// Snowflake.
    Snowflake,
}

/// Where the records are: a table (optionally schema-qualified with dots) or a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation<'a> {
    /// A table or view, its name's parts separated by dots.
    Table(&'a str),
    /// A query whose rows are the records.
    Query(&'a str),
}

/// A generalisation a database applies to a fetched column's text, character for character
/// what the audit's built-in generalisations do to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextRule {
    /// The first `n` characters (ZIP5 → ZIP3: 3; a date to its month: 7, its year: 4).
    Prefix(usize),
    /// The first three characters and a `0` (a year or date to its decade); missing when the
    /// text is shorter.
    Decade,
    /// `*` for every value present.
    Suppress,
}

/// A fetched column's value in `dialect`: cast to text, an empty text missing, then `rule`
/// applied. The same SQL serves PostgreSQL and Spark (`LEFT`, `CHAR_LENGTH` and `CONCAT`
/// count and join characters in both).
pub fn fetched_value(dialect: Dialect, column: &str, rule: Option<TextRule>) -> String {
    let v = dialect.value(column);
    match rule {
        None => v,
        Some(TextRule::Prefix(n)) => format!("LEFT({v}, {n})"),
        Some(TextRule::Decade) => {
            format!("CASE WHEN CHAR_LENGTH({v}) >= 3 THEN CONCAT(LEFT({v}, 3), '0') END")
        }
        Some(TextRule::Suppress) => format!("CASE WHEN {v} IS NULL THEN NULL ELSE '*' END"),
    }
}

/// Which rows of a database are the records: owned, as a source keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Records {
    /// A table or view (`schema.table` parts quoted one by one).
    Table(String),
    /// A query.
    Query(String),
}

impl Records {
    /// The records a `table` or a `query` names (one of them; `None` otherwise).
    pub fn of(table: Option<&str>, query: Option<&str>) -> Option<Records> {
        match (table, query) {
            (Some(t), None) => Some(Records::Table(t.to_string())),
            (None, Some(q)) => Some(Records::Query(q.to_string())),
            _ => None,
        }
    }

    /// The records as a class table's statement reads them.
    pub fn relation(&self) -> Relation<'_> {
        match self {
            Records::Table(t) => Relation::Table(t),
            Records::Query(q) => Relation::Query(q),
        }
    }

    /// The records as a `FROM` item named `src`.
    pub fn from_item(&self, dialect: Dialect) -> String {
        dialect.from(self.relation())
    }

    /// How a source's name ends: `table T`, or `query` (a query may be long, and may hold
    /// literals of the data).
    pub fn describe(&self) -> String {
        match self {
            Records::Table(t) => format!("table {t}"),
            Records::Query(_) => "query".to_string(),
        }
    }
}

/// What the class table is of.
#[derive(Debug, Clone, Copy)]
pub struct ClassTableQuery<'a> {
    /// The records.
    pub relation: Relation<'a>,
    /// The quasi-identifiers.
    pub qis: &'a [String],
    /// The sensitive attributes.
    pub sensitive: &'a [String],
    /// The column naming the person: classes of people.
    pub entity: Option<&'a str>,
}

impl Dialect {
    /// A quoted identifier.
    pub fn quote(self, name: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb | Dialect::Snowflake => {
                format!("\"{}\"", name.replace('"', "\"\""))
            }
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::Bigquery => format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`")),
        }
    }

    /// The text type values are compared as.
    fn text(self) -> &'static str {
        match self {
            Dialect::Postgres => "TEXT",
            Dialect::Duckdb | Dialect::Snowflake => "VARCHAR",
            Dialect::Spark | Dialect::Bigquery => "STRING",
        }
    }

    /// The 64-bit integer type counts are cast to.
    fn bigint(self) -> &'static str {
        match self {
            Dialect::Bigquery => "INT64",
            _ => "BIGINT",
        }
    }

    /// A column's value as text, an empty text missing.
    fn value(self, column: &str) -> String {
        format!(
            "NULLIF(CAST(src.{} AS {}), '')",
            self.quote(column),
            self.text()
        )
    }

    /// `COUNT(*)` as a 64-bit integer.
    fn count(self) -> String {
        format!("CAST(COUNT(*) AS {})", self.bigint())
    }

    /// A number distinct for every row (a row without a person is a person of its own).
    fn row_number(self) -> &'static str {
        match self {
            // Spark's ROW_NUMBER() needs an ORDER BY; this id is unique without one.
            Dialect::Spark => "MONOTONICALLY_INCREASING_ID()",
            _ => "ROW_NUMBER() OVER ()",
        }
    }

    /// The values of `expr` over a group, sorted and joined into one text.
    fn sorted_join(self, expr: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb | Dialect::Bigquery => {
                format!("STRING_AGG({expr}, ',' ORDER BY {expr})")
            }
            Dialect::Snowflake => format!("LISTAGG({expr}, ',') WITHIN GROUP (ORDER BY {expr})"),
            Dialect::Spark => format!("ARRAY_JOIN(ARRAY_SORT(COLLECT_LIST({expr})), ',')"),
        }
    }

    /// The relation as a `FROM` item named `src`.
    fn from(self, relation: Relation) -> String {
        match relation {
            Relation::Table(name) => format!(
                "{} AS src",
                name.split('.')
                    .map(|part| self.quote(part))
                    .collect::<Vec<_>>()
                    .join(".")
            ),
            Relation::Query(query) => {
                format!("(\n{}\n) AS src", query.trim().trim_end_matches(';'))
            }
        }
    }
}

/// The `SELECT` whose result is the class table of `query` in `dialect`.
pub fn class_table_sql(dialect: Dialect, query: &ClassTableQuery) -> Result<String> {
    let reserved = [RECORDS_COLUMN, PEOPLE_COLUMN, CLASS_COLUMN];
    for name in query.qis.iter().chain(query.sensitive) {
        if reserved.contains(&name.as_str()) {
            crate::bail!(
                "column {} has the name of a class table's own column; rename it in --query",
                crate::escape::name(name)
            );
        }
    }
    if query.qis.is_empty() {
        crate::bail!("--qi names no column");
    }
    if let Relation::Table(name) = query.relation
        && name.split('.').any(str::is_empty)
    {
        crate::bail!("--table {} has an empty part", crate::escape::name(name));
    }
    let d = dialect;
    let mut sql = String::new();
    match query.entity {
        None => {
            let keys: Vec<String> = query
                .qis
                .iter()
                .chain(query.sensitive)
                .map(|c| d.value(c))
                .collect();
            let columns: Vec<String> = query
                .qis
                .iter()
                .chain(query.sensitive)
                .zip(&keys)
                .map(|(c, v)| format!("  {v} AS {}", d.quote(c)))
                .collect();
            let _ = write!(
                sql,
                "SELECT\n{},\n  {} AS {}\nFROM {}\nGROUP BY\n  {}\n",
                columns.join(",\n"),
                d.count(),
                d.quote(RECORDS_COLUMN),
                d.from(query.relation),
                keys.join(",\n  ")
            );
        }
        Some(entity) => {
            let tuple = query
                .qis
                .iter()
                .map(|c| {
                    let v = d.value(c);
                    format!(
                        "COALESCE(CAST(LENGTH({v}) AS {t}) || ':' || {v}, '-')",
                        t = d.text()
                    )
                })
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let sensitive: Vec<String> = query
                .sensitive
                .iter()
                .enumerate()
                .map(|(i, c)| format!(",\n    {} AS s_{i}", d.value(c)))
                .collect();
            let _ = write!(
                sql,
                "WITH rows_ AS (\n  SELECT\n    COALESCE('e' || {person}, 'r' || CAST({row_number} AS {t})) AS person_,\n    {tuple} AS tuple_{sens}\n  FROM {from}\n),\npeople_ AS (\n  SELECT person_, {agg} AS class_\n  FROM rows_\n  GROUP BY person_\n),\nsizes_ AS (\n  SELECT class_, {count} AS people_n\n  FROM people_\n  GROUP BY class_\n)\nSELECT\n  p.class_ AS {class}{out},\n  {count} AS {records},\n  MAX(z.people_n) AS {people}\nFROM rows_ AS r\nJOIN people_ AS p ON r.person_ = p.person_\nJOIN sizes_ AS z ON p.class_ = z.class_\nGROUP BY p.class_{group}\n",
                person = d.value(entity),
                row_number = d.row_number(),
                t = d.text(),
                sens = sensitive.concat(),
                from = d.from(query.relation),
                agg = d.sorted_join("tuple_"),
                count = d.count(),
                class = d.quote(CLASS_COLUMN),
                out = query
                    .sensitive
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!(",\n  r.s_{i} AS {}", d.quote(c)))
                    .collect::<String>(),
                records = d.quote(RECORDS_COLUMN),
                people = d.quote(PEOPLE_COLUMN),
                group = (0..query.sensitive.len())
                    .map(|i| format!(", r.s_{i}"))
                    .collect::<String>(),
            );
        }
    }
    Ok(sql)
}

/// Identifier normalisation written in Spark SQL, value for value what `normalize`
/// computes, so that Spark can match identifiers where they live: each expression is missing
/// (NULL) where the normaliser's result is empty, as the audit's identifier joins treat it.
///
/// Written for Spark's defaults: string literals with backslash escapes, Java regular
/// expressions (`(?U)` makes `\s` Unicode's White_Space, as Rust's `trim`), `LOWER` with the
/// root locale.
pub mod spark_identifiers {
    use crate::normalize::{EmailRules, HashAlgorithm};

    /// `expr` trimmed of Unicode white space, as Rust's `trim`.
    fn trimmed(expr: &str) -> String {
        format!("REGEXP_REPLACE({expr}, '(?U)^\\\\s+|\\\\s+$', '')")
    }

    /// `expr` trimmed of Unicode white space and lowercased.
    pub fn trimmed_lower(expr: &str) -> String {
        format!("LOWER({})", trimmed(expr))
    }

    /// `expr`, missing where it is blank (empty or white space only): a blank identifier is
    /// no key.
    pub fn non_blank(expr: &str) -> String {
        format!("CASE WHEN {} = '' THEN NULL ELSE {expr} END", trimmed(expr))
    }

    /// `expr` as `normalize_email` normalises it under `rules`.
    pub fn email(expr: &str, rules: EmailRules) -> String {
        let t = trimmed_lower(expr);
        let domain = format!("SUBSTRING_INDEX({t}, '@', -1)");
        let mut local = format!("SUBSTRING({t}, 1, LENGTH({t}) - LENGTH({domain}) - 1)");
        if rules.drop_tags {
            local = format!("SUBSTRING_INDEX({local}, '+', 1)");
        }
        if rules.gmail_dots {
            local = format!(
                "CASE WHEN {domain} IN ('gmail.com', 'googlemail.com') THEN REPLACE({local}, '.', '') ELSE {local} END"
            );
        }
        format!(
            "NULLIF(CASE WHEN INSTR({t}, '@') = 0 THEN {t} ELSE CONCAT({local}, '@', {domain}) END, '')"
        )
    }

    /// `expr` as `normalize_phone` normalises it: its ASCII digits, a
    /// leading `1` dropped from 11 digits.
    pub fn phone(expr: &str) -> String {
        let digits = format!("REGEXP_REPLACE({expr}, '[^0-9]', '')");
        format!(
            "NULLIF(CASE WHEN LENGTH({digits}) = 11 AND LEFT({digits}, 1) = '1' THEN SUBSTRING({digits}, 2) ELSE {digits} END, '')"
        )
    }

    /// The lowercase hex digest of `expr`'s UTF-8 bytes, as `HashAlgorithm::hex`.
    pub fn hashed(expr: &str, algorithm: HashAlgorithm) -> String {
        match algorithm {
            HashAlgorithm::Md5 => format!("MD5({expr})"),
            HashAlgorithm::Sha1 => format!("SHA1({expr})"),
            HashAlgorithm::Sha256 => format!("SHA2({expr}, 256)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_per_dialect() {
        assert_eq!(Dialect::Postgres.quote("a \"b\""), "\"a \"\"b\"\"\"");
        assert_eq!(Dialect::Spark.quote("a`b"), "`a``b`");
        assert_eq!(Dialect::Bigquery.quote("a`b\\"), "`a\\`b\\\\`");
        assert_eq!(Dialect::Snowflake.quote("select"), "\"select\"");
    }
}
