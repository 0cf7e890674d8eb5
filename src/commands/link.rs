//! `linkrisk link IDENTIFIED TARGET --on A,B[=B2] [--truth L=R] [--entity L=R]`: one
//! quasi-identifier linkage (Sweeney's attack) from both files' class tables — unique matches,
//! expected re-identifications, candidates — without building a candidate pair.

use crate::bail;
use clap::Args;

use super::args::{InputArgs, OutputArgs, pair};
use super::{Progress, view_name};
use crate::Result;
pub use crate::audit::link::LinkOptions;
use crate::metrics::MeasureOptions;
use crate::model::{self, Policy, Report};

/// `link`'s command-line arguments.
#[derive(Args, Debug)]
pub struct LinkArgs {
    /// The identified file (the attacker's, e.g. a loyalty or voter list), or a database URL
    /// (`postgresql://...`, `sc://...`) with --left-table or --left-query.
    pub identified: String,
    /// The target file (the "de-identified" release), or a database URL with --right-table or
    /// --right-query.
    pub target: String,
    /// The identified side's database table.
    #[arg(long, conflicts_with = "left_query")]
    pub left_table: Option<String>,
    /// A query whose rows are the identified side's records.
    #[arg(long)]
    pub left_query: Option<String>,
    /// The target side's database table.
    #[arg(long, conflicts_with = "right_query")]
    pub right_table: Option<String>,
    /// A query whose rows are the target side's records.
    #[arg(long)]
    pub right_query: Option<String>,
    /// Shared quasi-identifiers, comma-separated (`a` or `identified_col=target_col`).
    #[arg(long, value_delimiter = ',', required = true)]
    pub on: Vec<String>,
    /// Truth columns (`IDENTIFIED_COL=TARGET_COL`) that name the same person on both sides.
    #[arg(long)]
    pub truth: Option<String>,
    /// The column naming the person (`IDENTIFIED_COL=TARGET_COL`, or one name for both) when
    /// a person has many records: people are linked by the multiset of their records' values,
    /// and every figure counts people.
    #[arg(long)]
    pub entity: Option<String>,
    /// How to read the input.
    #[command(flatten)]
    pub input: InputArgs,
    /// Policy k.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub k: u32,
    /// The memory budget.
    #[command(flatten)]
    pub memory: super::args::MemoryArgs,
    /// Where and how to write the report.
    #[command(flatten)]
    pub output: OutputArgs,
}

impl LinkArgs {
    /// The library options these arguments ask for.
    pub fn options(&self) -> LinkOptions {
        let (left_on, right_on) = self.on.iter().map(|s| pair(s)).unzip();
        let mut opts = LinkOptions {
            truth: self.truth.as_deref().map(pair),
            entity: self.entity.as_deref().map(pair),
            load: self.input.load_options(&[]),
            relations: [
                (self.left_table.clone(), self.left_query.clone()),
                (self.right_table.clone(), self.right_query.clone()),
            ],
            ..link_options(&self.identified, &self.target, left_on, right_on, self.k)
        };
        // A database side is named after its table (or `query`).
        for (side, (table, query)) in [
            (&mut opts.identified, &opts.relations[0]),
            (&mut opts.target, &opts.relations[1]),
        ] {
            side.1 = super::source_view_name(&side.0, table.as_deref(), query.as_deref());
        }
        if opts.identified.1 == opts.target.1 {
            opts.target.1 = format!("{}_target", opts.target.1);
        }
        opts
    }
}

/// Options linking `target` to `identified` on the paired columns, with policy `k`: the views
/// are named after the files (the target's with `_target` when both are one name).
pub fn link_options(
    identified: &str,
    target: &str,
    left_on: Vec<String>,
    right_on: Vec<String>,
    k: u32,
) -> LinkOptions {
    let (a_name, mut b_name) = (view_name(identified), view_name(target));
    if a_name == b_name {
        b_name = format!("{b_name}_target");
    }
    LinkOptions {
        identified: (identified.to_string(), a_name),
        target: (target.to_string(), b_name),
        left_on,
        right_on,
        truth: None,
        entity: None,
        relations: Default::default(),
        load: Default::default(),
        measure: MeasureOptions {
            policy_k: k,
            recursive_l: 2,
            population: None,
        },
    }
}

/// Links the target file to the identified file and reports the three views (identified,
/// target, linked), the step and its findings.
pub fn run(opts: &LinkOptions, progress: Progress) -> Result<Report> {
    if let Some((l, r)) = &opts.entity {
        if l.is_empty() || r.is_empty() {
            bail!("--entity has an empty column name");
        }
        if opts.left_on.contains(l) || opts.right_on.contains(r) {
            bail!("--entity column cannot also be compared (--on)");
        }
    }
    progress("linking");
    let outcome = crate::audit::link::link(opts)?;
    let k = opts.measure.policy_k;
    let policy = Policy {
        k,
        l: None,
        max_unique_fraction: None,
        ..Default::default()
    };
    let result =
        crate::audit::verdict::judge(&policy, &outcome.views, std::slice::from_ref(&outcome.join));
    let findings = crate::audit::findings::rank(
        &outcome.views,
        std::slice::from_ref(&outcome.join),
        &[],
        &std::collections::HashMap::new(),
        &result,
        0.0,
    )?;
    let source = |location: &str, (table, query): &(Option<String>, Option<String>)| {
        crate::source::Source::open(
            location,
            table.as_deref(),
            query.as_deref(),
            Default::default(),
            false,
        )
    };
    let inputs = vec![
        crate::audit::provenance::source_input(
            "identified",
            &source(&opts.identified.0, &opts.relations[0])?,
            Some(outcome.join.rows_left),
        )?,
        crate::audit::provenance::source_input(
            "target",
            &source(&opts.target.0, &opts.relations[1])?,
            Some(outcome.join.rows_right),
        )?,
    ];
    let joins = vec![outcome.join];
    let assessment =
        crate::audit::breaking::assess(&joins, &outcome.views, &findings, &result.violations, &[]);
    Ok(Report {
        baseline: None,
        provenance: Some(crate::audit::provenance::provenance(inputs)),
        schema_version: model::SCHEMA_VERSION,
        tool: Default::default(),
        missing_values: model::MISSING_VALUES_NOTE,
        views: outcome.views,
        joins,
        findings,
        policy: result,
        unicity: None,
        records: Vec::new(),
        assessment,
    })
}
