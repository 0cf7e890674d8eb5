//! Counting people where a view declares them: a join step's inputs that name the person by an
//! entity column have their linked records counted as the distinct people they belong to (a
//! record without an entity value is a person of its own, as everywhere).

use super::view::View;
use crate::Result;
use crate::engine::compare::coded_column;
use crate::engine::entity::EntityNumbers;
use crate::model::{JoinReport, StepPeople};

/// The people of a view's records: per record its person, or `None` when the view declares no
/// entity (each record is a person).
pub fn numbers(view: &View) -> Result<Option<EntityNumbers>> {
    let Some(entity) = &view.entity else {
        return Ok(None);
    };
    let column = coded_column(view.df.column(entity)?)?;
    Ok(Some(EntityNumbers::of_codes(
        &column.codes,
        column.dictionary.len() + 1,
    )))
}

/// People with at least one record in `mask`.
pub fn count(numbers: Option<&EntityNumbers>, mask: &[bool]) -> usize {
    match numbers {
        None => mask.iter().filter(|&&m| m).count(),
        Some(n) => {
            let mut seen = vec![false; n.len()];
            for (row, _) in mask.iter().enumerate().filter(|(_, m)| **m) {
                seen[n.of_row[row] as usize] = true;
            }
            seen.iter().filter(|&&s| s).count()
        }
    }
}

/// The people expected to be re-identified: each person by their most exposed record, the sum
/// over people of the largest of their records' `chances` (`1 / candidates`).
pub fn expected(numbers: Option<&EntityNumbers>, chances: &[f64]) -> f64 {
    match numbers {
        None => chances.iter().sum(),
        Some(n) => {
            let mut best = vec![0.0f64; n.len()];
            for (row, &chance) in chances.iter().enumerate() {
                let person = n.of_row[row] as usize;
                best[person] = best[person].max(chance);
            }
            best.iter().sum()
        }
    }
}

/// A step's figures in people, when either input declares an entity column.
pub fn step_people(
    left: &View,
    right: &View,
    left_linked: &[bool],
    right_linked: &[bool],
    right_chances: Option<&[f64]>,
) -> Result<Option<StepPeople>> {
    if left.entity.is_none() && right.entity.is_none() {
        return Ok(None);
    }
    let (ln, rn) = (numbers(left)?, numbers(right)?);
    let people = |n: Option<&EntityNumbers>, rows: usize| n.map_or(rows, EntityNumbers::len);
    let (l, r) = (
        people(ln.as_ref(), left.df.height()),
        people(rn.as_ref(), right.df.height()),
    );
    Ok(Some(step_people_of(
        left,
        right,
        (l, r),
        (
            count(ln.as_ref(), left_linked),
            count(rn.as_ref(), right_linked),
        ),
        right_chances.map(|c| expected(rn.as_ref(), c)),
    )))
}

/// A step's figures in people from its counts: the people of each side, and those linked.
pub fn step_people_of(
    left: &View,
    right: &View,
    (people_left, people_right): (usize, usize),
    (matched_left, matched_right): (usize, usize),
    expected_reidentified: Option<f64>,
) -> StepPeople {
    let fraction = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    StepPeople {
        entity_left: left.entity.clone(),
        entity_right: right.entity.clone(),
        left: people_left,
        right: people_right,
        matched_left,
        matched_left_fraction: fraction(matched_left, people_left),
        matched_right,
        matched_right_fraction: fraction(matched_right, people_right),
        expected_reidentified,
    }
}

/// The right-hand input of a step as its figures count it: its people where it declares an
/// entity column, else its records. The summary's step line, the step's findings and the
/// verdict all read this.
#[derive(Debug, Clone, PartialEq)]
pub struct RightSide {
    /// Linked (a quasi step: with a candidate).
    pub linked: usize,
    /// In all.
    pub of: usize,
    /// `linked / of`.
    pub linked_fraction: f64,
    /// Identified when the step's output names people: a quasi step's expected
    /// re-identifications, else the linked.
    pub reidentified: f64,
    /// `reidentified / of`.
    pub reidentified_fraction: f64,
    /// `records`, or `people (by <entity>)`.
    pub unit: String,
    /// Whether the figures count people.
    pub people: bool,
}

/// [`RightSide`] of a step.
pub fn right_side(join: &JoinReport) -> RightSide {
    match join.people.as_ref().filter(|p| p.entity_right.is_some()) {
        Some(p) => {
            let (reidentified, reidentified_fraction) =
                match (&join.linkage, p.expected_reidentified) {
                    (Some(_), Some(expected)) => (expected, expected / p.right.max(1) as f64),
                    _ => (p.matched_right as f64, p.matched_right_fraction),
                };
            RightSide {
                linked: p.matched_right,
                of: p.right,
                linked_fraction: p.matched_right_fraction,
                reidentified,
                reidentified_fraction,
                unit: format!(
                    "people (by {})",
                    p.entity_right.as_deref().unwrap_or_default()
                ),
                people: true,
            }
        }
        None => {
            let (reidentified, reidentified_fraction) = match &join.linkage {
                Some(link) => (
                    link.expected_reidentifications,
                    link.expected_reidentification_fraction,
                ),
                None => (join.matched_right as f64, join.matched_right_fraction),
            };
            RightSide {
                linked: join.matched_right,
                of: join.rows_right,
                linked_fraction: join.matched_right_fraction,
                reidentified,
                reidentified_fraction,
                unit: "records".to_string(),
                people: false,
            }
        }
    }
}
