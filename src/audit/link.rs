//! `linkrisk link`: one quasi-identifier linkage of a target file to an identified file, end to
//! end on codes. Both files are read straight to dictionary codes where they are plain CSV or
//! Parquet (else through polars), only the compared and truth columns; the linkage is counted
//! from the two sides' class tables ([`super::join::quasi_link`]), and the three views
//! (identified, target, linked) are measured from codes. No string frame is built and no
//! candidate pair exists, so memory stays near the size of the compared columns.

use super::join::{QuasiSide, quasi_link};
use super::keys::{as_is, code_pair};
use crate::Result;
use crate::engine::entity::EntityNumbers;
use crate::engine::{ClassTable, NullMode, encode::encode_coded};
use crate::error::Context as _;
use crate::io::LoadOptions;
use crate::io::coded::CodedColumn;
use crate::metrics::{MeasureOptions, measure};
use crate::model::ViewReport;
use crate::model::{JoinReport, Snapshot};
use crate::plan::JoinKind;
use crate::source::Source;

/// One linkage between two files.
pub struct LinkOptions {
    /// The identified file (the attacker's) and its view name.
    pub identified: (String, String),
    /// The target file (the release) and its view name.
    pub target: (String, String),
    /// Where a side is a database URL: its table or query (identified, target).
    pub relations: [(Option<String>, Option<String>); 2],
    /// Compared columns of each side, pairwise.
    pub left_on: Vec<String>,
    pub right_on: Vec<String>,
    /// Columns naming the same person on each side.
    pub truth: Option<(String, String)>,
    /// The column naming the person on each side, when a person has many records: people are
    /// linked by the multiset of their records' compared values, and every figure counts
    /// people.
    pub entity: Option<(String, String)>,
    pub load: LoadOptions,
    pub measure: MeasureOptions,
}

/// The measured views (identified, target, linked) and the step's report.
pub struct LinkOutcome {
    pub views: Vec<ViewReport>,
    pub join: JoinReport,
}

fn distinct(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// Measures a view of coded QI columns (no sensitive attributes, no attribution), per person
/// when an entity column is given.
fn measure_codes(
    name: &str,
    identified: bool,
    qis: Vec<CodedColumn>,
    entity: Option<&CodedColumn>,
    rows: usize,
    opts: MeasureOptions,
) -> Result<ViewReport> {
    let names: Vec<String> = qis.iter().map(|c| c.name.clone()).collect();
    let encoded = encode_coded(qis, &[])?;
    let table = match entity {
        Some(entity) => {
            let entity = encode_coded(vec![entity.clone()], &[])?.remove(0);
            ClassTable::build_entities(encoded, &[], &entity, rows, false)
        }
        None => ClassTable::build(encoded, &[], rows, NullMode::Value, false),
    };
    Ok(ViewReport {
        name: name.to_string(),
        rows,
        entity: entity.map(|e| e.name.clone()),
        identified,
        entities: table.rows,
        quasi_identifiers: names,
        sensitive: Vec::new(),
        metrics: measure(&table, opts),
        attribution: None,
        small_classes: None,
        unicity: None,
        records: Vec::new(),
    })
}

fn column<'a>(columns: &'a [CodedColumn], name: &str) -> &'a CodedColumn {
    columns
        .iter()
        .find(|c| c.name == name)
        .expect("read by name")
}

/// Links the target file to the identified file.
pub fn link(opts: &LinkOptions) -> Result<LinkOutcome> {
    let (a_path, a_name) = &opts.identified;
    let (b_path, b_name) = &opts.target;
    let a_qis = distinct(opts.left_on.iter().cloned());
    let b_qis = distinct(opts.right_on.iter().cloned());
    let a_names = distinct(
        a_qis
            .iter()
            .cloned()
            .chain(opts.truth.iter().map(|t| t.0.clone()))
            .chain(opts.entity.iter().map(|t| t.0.clone())),
    );
    let b_names = distinct(
        b_qis
            .iter()
            .cloned()
            .chain(opts.truth.iter().map(|t| t.1.clone()))
            .chain(opts.entity.iter().map(|t| t.1.clone())),
    );
    let timer = crate::timing::Timer::start();
    let side = |location: &str, (table, query): &(Option<String>, Option<String>)| {
        Source::open(
            location,
            table.as_deref(),
            query.as_deref(),
            opts.load.clone(),
            false,
        )
    };
    let (a_source, b_source) = (
        side(a_path, &opts.relations[0])?,
        side(b_path, &opts.relations[1])?,
    );
    let (a, a_rows) = a_source.coded_columns(&a_names)?;
    let (b, b_rows) = b_source.coded_columns(&b_names)?;
    timer.lap("read both sides as codes");
    // The linkage groups each side's records by their compared codes (a key and a class per
    // record, about 48 bytes, plus 4 per compared column) and, with people, by person.
    let per_record =
        48 + 4 * opts.left_on.len() as u64 + if opts.entity.is_some() { 24 } else { 0 };
    crate::budget::check((a_rows + b_rows) as u64 * per_record, || {
        format!(
            "linking {} to {} ({} and {} records)",
            crate::escape::name(b_name),
            crate::escape::name(a_name),
            crate::format::thousands(b_rows),
            crate::format::thousands(a_rows)
        )
    })?;

    let side = |columns: &[CodedColumn], on: &[String]| QuasiSide {
        compared: on
            .iter()
            .map(|c| (column(columns, c).clone(), None))
            .collect(),
        sensitive: Vec::new(),
    };
    let truth = opts
        .truth
        .as_ref()
        .map(|(l, r)| code_pair(column(&a, l), column(&b, r), &as_is, &as_is));
    let step_name = format!("{b_name} linked to {a_name}");
    let entities = opts.entity.as_ref().map(|(l, r)| {
        let (l, r) = (column(&a, l), column(&b, r));
        (
            (l, EntityNumbers::of_codes(&l.codes, l.dictionary.len() + 1)),
            (r, EntityNumbers::of_codes(&r.codes, r.dictionary.len() + 1)),
        )
    });
    let linked = quasi_link(
        &side(&a, &opts.left_on),
        &side(&b, &opts.right_on),
        truth.as_ref(),
        entities.as_ref().map(|((_, l), (_, r))| (l, r)),
    )
    .context(format!("join '{step_name}'"))?;
    timer.lap("linkage from class tables");
    // Per target record, the identified record attached: with people, the identified person's
    // first record for every record of a target person who has exactly one candidate.
    let attached: Vec<Option<u32>> = match &entities {
        None => linked.attached.clone(),
        Some(((_, a_people), (_, b_people))) => b_people
            .of_row
            .iter()
            .map(|&person| {
                linked.attached[person as usize].map(|a| a_people.first_rows[a as usize])
            })
            .collect(),
    };
    let (a_entity, b_entity) = match &entities {
        Some(((l, _), (r, _))) => (Some(*l), Some(*r)),
        None => (None, None),
    };
    let (a_people, b_people) = match &entities {
        Some(((_, l), (_, r))) => (l.len(), r.len()),
        None => (a_rows, b_rows),
    };

    let pick = |columns: &[CodedColumn], names: &[String]| -> Vec<CodedColumn> {
        names.iter().map(|n| column(columns, n).clone()).collect()
    };
    let identified = measure_codes(
        a_name,
        true,
        pick(&a, &a_qis),
        a_entity,
        a_rows,
        opts.measure,
    )?;
    let target = measure_codes(
        b_name,
        false,
        pick(&b, &b_qis),
        b_entity,
        b_rows,
        opts.measure,
    )?;
    // The linked view: one row per target record, the identified record's QIs attached where
    // it is the only candidate; target columns the identified side also names are qualified.
    let mut view_qis: Vec<CodedColumn> = a_qis
        .iter()
        .map(|n| {
            let source = column(&a, n);
            CodedColumn {
                name: n.clone(),
                dictionary: source.dictionary.clone(),
                codes: attached
                    .iter()
                    .map(|r| r.map_or(0, |r| source.codes[r as usize]))
                    .collect(),
            }
        })
        .collect();
    view_qis.extend(b_qis.iter().map(|n| {
        let mut c = column(&b, n).clone();
        if a_names.contains(n) {
            c.name = format!("{b_name}.{n}");
        }
        c
    }));
    let after = measure_codes(&step_name, true, view_qis, b_entity, b_rows, opts.measure)?;
    timer.lap("measure the three views");

    let fraction = |x: usize, of: usize| if of == 0 { 0.0 } else { x as f64 / of as f64 };
    let matched_right = linked.linkage.targets_with_candidates;
    let join = JoinReport {
        name: step_name,
        kind: JoinKind::Quasi,
        left: a_name.clone(),
        right: b_name.clone(),
        on: opts
            .left_on
            .iter()
            .zip(&opts.right_on)
            .map(|(l, r)| {
                if l == r {
                    l.clone()
                } else {
                    format!("{l}={r}")
                }
            })
            .collect(),
        comparison: linked.comparison,
        rows_left: a_rows,
        rows_right: b_rows,
        rows_out: b_rows,
        matched_left: linked.matched_left,
        matched_left_fraction: fraction(linked.matched_left, a_people),
        matched_right,
        matched_right_fraction: fraction(matched_right, b_people),
        before_left: Snapshot::of(&identified),
        before_right: Snapshot::of(&target),
        after: Snapshot::of(&after),
        linkage: Some(linked.linkage),
        column_overlap: linked.column_overlap,
        identifiers: Vec::new(),
        truth: linked.truth,
        people: None,
    };
    Ok(LinkOutcome {
        views: vec![identified, target, after],
        join,
    })
}
