//! Join steps: how a retailer links two views. Both sides' compared columns are coded in one
//! dictionary per column ([`super::keys`]), and every figure is counted on the codes:
//!
//! - a `quasi` step is linkage from class tables ([`super::linkage`]): no candidate pair is
//!   built, and its view is one row per target record, with the identified record's columns
//!   attached where the target has exactly one candidate;
//! - a `key`, `normalized` or `hashed` step links records that agree on any of its
//!   identifiers ([`super::identifiers`]); its pair count is known from the key counts and a
//!   join above `max_join_rows` is refused before any pair is built. Its view is one row per
//!   linked pair.

mod identifier;
mod quasi;

use polars::prelude::*;

use identifier::identifier_join;
use quasi::quasi_join;
pub use quasi::{QuasiSide, comparable, quasi_link};

use super::keys::{as_is, code_pair};
use super::view::View;
use crate::Result;
use crate::bail;
use crate::engine::compare::coded_column;
use crate::io::coded::CodedColumn;
use crate::model::{ColumnOverlap, IdentifierLinks, Linkage, StepPeople, TruthLinks};
use crate::plan::{JoinKind, JoinSpec};

/// The joined view and the raw figures of the step (snapshots are added by the caller).
pub struct JoinOutcome {
    pub view: View,
    pub on: Vec<String>,
    pub comparison: Vec<String>,
    pub rows_out: usize,
    pub matched_left: usize,
    pub matched_right: usize,
    /// Per left record, whether it linked.
    pub left_linked: Vec<bool>,
    /// Per right record, whether it linked (for a quasi step: has a candidate).
    pub right_linked: Vec<bool>,
    /// Quasi steps: per right (target) record, its chance of being re-identified,
    /// `1 / candidates` (0 without one).
    pub right_chances: Option<Vec<f64>>,
    pub linkage: Option<Linkage>,
    pub column_overlap: Vec<ColumnOverlap>,
    pub identifiers: Vec<IdentifierLinks>,
    pub truth: Option<TruthLinks>,
    /// The step's figures in people, already counted where the step ran (a plan run in
    /// Spark); `None` when they are counted here from the linked masks.
    pub counted_people: Option<Option<StepPeople>>,
}

pub(super) fn pair_name(l: &str, r: &str) -> String {
    if l == r {
        l.to_string()
    } else {
        format!("{l}={r}")
    }
}

/// Runs one join step on two views. `max_rows` bounds the pairs of a key, normalized or
/// hashed step; with `pushdown` (a plan run in Spark) such a step runs there.
pub fn run_join(
    step: &JoinSpec,
    left: &View,
    right: &View,
    max_rows: u64,
    pushdown: Option<&super::pushdown::Pushdown>,
) -> Result<JoinOutcome> {
    let (lcols, rcols) = step.columns();
    for (view, cols) in [(left, &lcols), (right, &rcols)] {
        for c in cols.iter() {
            if !view.has_column(c) {
                let names = view.column_names();
                let close = crate::escape::suggestion(c, names.iter().map(|n| n.as_str()))
                    .map(|n| format!(" (did you mean {}?)", crate::escape::name(n)))
                    .unwrap_or_default();
                bail!(
                    "join {}: {} has no column {}{close}",
                    crate::escape::name(&step.name),
                    crate::escape::name(&view.name),
                    crate::escape::name(c)
                );
            }
        }
    }
    let on = lcols
        .iter()
        .zip(&rcols)
        .map(|(l, r)| pair_name(l, r))
        .collect();
    if let Some(pushdown) = pushdown
        && step.kind != JoinKind::Quasi
    {
        let mut outcome = pushdown.identifier_join(step, left, right, max_rows)?;
        outcome.on = on;
        return Ok(outcome);
    }
    let truth = match &step.truth {
        None => None,
        Some(t) => {
            let column = |view: &View, name: &str| -> Result<CodedColumn> {
                let c = view.df.column(name).map_err(|_| {
                    crate::invalid!(
                        "join '{}': {} has no truth column '{name}'",
                        step.name,
                        view.name
                    )
                })?;
                coded_column(c)
            };
            let (l, r) = (column(left, &t.left)?, column(right, &t.right)?);
            Some(code_pair(&l, &r, &as_is, &as_is))
        }
    };
    let mut outcome = if step.kind == JoinKind::Quasi {
        quasi_join(step, left, right, &lcols, &rcols, truth.as_ref())?
    } else {
        identifier_join(step, left, right, max_rows, truth.as_ref())?
    };
    outcome.on = on;
    Ok(outcome)
}

/// The columns of the joined view: the left's under their names, the right's renamed
/// `<right>.<column>` where the left already uses the name (then `<right>.<column>.2`, ...,
/// where a chain of joins already used that too). Returns the right's new names.
pub(super) fn right_names(left: &View, right: &View) -> Vec<(String, String)> {
    let mut taken: hashbrown::HashSet<String> = left.column_names().into_iter().collect();
    let originals: Vec<String> = right.column_names();
    // A right column keeping its name claims it first, so a renamed one cannot take it.
    let kept: Vec<bool> = originals.iter().map(|n| !taken.contains(n)).collect();
    for (name, &keep) in originals.iter().zip(&kept) {
        if keep {
            taken.insert(name.clone());
        }
    }
    originals
        .into_iter()
        .zip(kept)
        .map(|(name, keep)| {
            if keep {
                return (name.clone(), name);
            }
            let base = format!("{}.{name}", right.name);
            let mut new = base.clone();
            let mut n = 2;
            while taken.contains(&new) {
                new = format!("{base}.{n}");
                n += 1;
            }
            taken.insert(new.clone());
            (name, new)
        })
        .collect()
}

/// A right column's name in the joined view, from [`right_names`]' pairs.
pub(super) fn new_name(renamed: &[(String, String)], old: &str) -> String {
    renamed
        .iter()
        .find(|(o, _)| o == old)
        .map_or_else(|| old.to_string(), |(_, n)| n.clone())
}

/// Whose entity a joined view carries.
#[derive(Clone, Copy)]
pub(super) enum EntityFrom {
    /// A quasi step's view is one row per target record: the target's entity.
    Target,
    /// A join of rows: the left's entity if declared, else the right's.
    LeftElseRight,
}

/// The joined view from the left and right frames already aligned row by row.
fn joined_view(
    step: &JoinSpec,
    left: &View,
    right: &View,
    left_rows: DataFrame,
    mut right_rows: DataFrame,
    entity: EntityFrom,
) -> Result<View> {
    let renamed = right_names(left, right);
    for (old, new) in &renamed {
        // A view of a plan run in Spark holds only its measured columns here.
        if old != new && right_rows.column(old).is_ok() {
            right_rows.rename(old, new.as_str().into())?;
        }
    }
    let mut df = left_rows;
    df.hstack_mut(right_rows.columns())?;
    let mut view = joined_shape(step, left, right, &renamed, entity);
    view.df = df;
    Ok(view)
}

/// The joined view's roles, generalisations, hierarchies, origins and entity, with an empty
/// frame; `renamed` are the right's columns with their names in the joined view.
pub(super) fn joined_shape(
    step: &JoinSpec,
    left: &View,
    right: &View,
    renamed: &[(String, String)],
    entity: EntityFrom,
) -> View {
    let new_name = |old: &str| new_name(renamed, old);
    let mut roles = left.roles.clone();
    roles.extend(right.roles.iter().map(|(c, r)| (new_name(c), *r)));
    let mut generalized = left.generalized.clone();
    generalized.extend(
        right
            .generalized
            .iter()
            .map(|(c, g)| (new_name(c), g.clone())),
    );
    let mut hierarchies = left.hierarchies.clone();
    hierarchies.extend(
        right
            .hierarchies
            .iter()
            .map(|h| super::view::HierarchyFile {
                column: new_name(&h.column),
                ..h.clone()
            }),
    );
    let (left_columns, right_columns) = (left.column_names(), right.column_names());
    let origins = left_columns
        .iter()
        .map(|c| (c.to_string(), left.origin(c)))
        .chain(right_columns.iter().map(|c| (new_name(c), right.origin(c))))
        .map(|(column, (source, original))| (column, source, original))
        .collect();
    // A step of a plan run in Spark: its records are where the pushdown put them, or (a quasi
    // step's output) only here.
    let remote = (left.remote.is_some() || right.remote.is_some()).then(|| super::view::Remote {
        table: None,
        shown: format!("join '{}'", step.name),
        fetched: false,
        columns: left_columns
            .iter()
            .cloned()
            .chain(right_columns.iter().map(|c| new_name(c)))
            .collect(),
        measured: Vec::new(),
        applied_here: left
            .remote
            .iter()
            .flat_map(|r| r.applied_here.iter().cloned())
            .chain(
                right
                    .remote
                    .iter()
                    .flat_map(|r| r.applied_here.iter().map(|(c, g)| (new_name(c), g.clone()))),
            )
            .collect(),
    });
    let right_entity = right.entity.as_deref().map(new_name);
    let entity = match entity {
        EntityFrom::Target => right_entity,
        EntityFrom::LeftElseRight => left.entity.clone().or(right_entity),
    };
    View {
        name: step.name.clone(),
        df: DataFrame::empty(),
        roles,
        generalized,
        hierarchies,
        origins,
        entity,
        release: false,
        remote,
    }
}
