//! `linkrisk sql --dialect D (--table T | --query SQL) --qi A,B [--sensitive S] [--entity E]`:
//! prints the one `SELECT` whose result is the class table of those columns, for the engine
//! where the data lives. Its result, saved as CSV or Parquet, is what
//! `linkrisk scan --class-table` measures (docs/class-table.md).

use clap::Args;

use super::check_names;
use crate::Result;
use crate::source::sql::{ClassTableQuery, Dialect, Relation, class_table_sql};

/// `sql`'s command-line arguments.
#[derive(Args, Debug)]
pub struct SqlArgs {
    /// The SQL engine the statement is for.
    #[arg(long, value_enum)]
    pub dialect: Dialect,
    /// The table (or view) of the records; `schema.table` parts are quoted one by one.
    #[arg(long, required_unless_present = "query", conflicts_with = "query")]
    pub table: Option<String>,
    /// A query whose rows are the records.
    #[arg(long)]
    pub query: Option<String>,
    /// Quasi-identifier columns, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub qi: Vec<String>,
    /// Sensitive columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub sensitive: Vec<String>,
    /// The column naming the person: the class table counts people.
    #[arg(long)]
    pub entity: Option<String>,
}

/// The statement these arguments ask for.
pub fn run(args: &SqlArgs) -> Result<String> {
    check_names("qi", &args.qi)?;
    check_names("sensitive", &args.sensitive)?;
    if let Some(both) = args.sensitive.iter().find(|s| args.qi.contains(s)) {
        crate::bail!(
            "column {} cannot be both a quasi-identifier and sensitive",
            crate::escape::name(both)
        );
    }
    if let Some(entity) = &args.entity
        && (args.qi.contains(entity) || args.sensitive.contains(entity))
    {
        crate::bail!(
            "--entity column {} cannot also be a quasi-identifier or sensitive",
            crate::escape::name(entity)
        );
    }
    let relation = match (&args.table, &args.query) {
        (Some(table), _) => Relation::Table(table),
        (None, Some(query)) => Relation::Query(query),
        (None, None) => crate::bail!("give --table or --query"),
    };
    class_table_sql(
        args.dialect,
        &ClassTableQuery {
            relation,
            qis: &args.qi,
            sensitive: &args.sensitive,
            entity: args.entity.as_deref(),
        },
    )
}
