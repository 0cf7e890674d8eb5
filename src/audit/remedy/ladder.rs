//! Ladders: the steps each quasi-identifier can climb, from the column as released up to `*`,
//! and per step a map from each code to its parent code.
//!
//! A column's ladder is, in this order of preference:
//! - the levels above the one applied, when the plan generalised it with a hierarchy file;
//! - the levels of its file in the source's `hierarchies`;
//! - the coarser built-ins after the one applied (`zip3` → `zip1` → `suppress`, `month` →
//!   `year` → `decade` → `suppress`, `band:w` → `band:2w` → `band:4w` → `suppress`);
//! - else one judged from the values: ZIP codes (a column named for ZIP or postal codes whose
//!   values are all 5 or 3 digits), dates (`YYYY-MM-DD`, `YYYY-MM`), numbers (bands of `w`,
//!   `2w`, `4w` with `w = 5·10^m` the smallest such width giving at most 100 bands), and
//!   anything else straight to `suppress`.
//!
//! Each level's value of a code is computed once per distinct value (never per row), from the
//! column's own value, and the levels must nest: every value of a level has one parent on the
//! next. A value a step cannot take (the decade of a value shorter than a year) is missing from
//! that level up. A step that merges no values is left out.

use hashbrown::HashMap;

use crate::Result;
use crate::audit::view::{HierarchyFile, View};
use crate::bail;
use crate::io::coded::CodedColumn;
use crate::plan::{Builtin, Generalization};

/// One quasi-identifier's ladder.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// The column.
    pub column: String,
    /// Step `i` lifts level `i` to level `i + 1`, named as a plan's `generalize` names it.
    pub steps: Vec<Generalization>,
    /// Per step, the parent (level `i + 1`) code of each level-`i` code; code 0, a missing
    /// value, stays 0.
    pub parents: Vec<Vec<u32>>,
    /// Code slots per level (`0..=height`), slot 0 being the missing value.
    pub slots: Vec<usize>,
}

impl Ladder {
    /// Number of steps: the top level.
    pub fn height(&self) -> usize {
        self.steps.len()
    }

    /// Per level, the code at that level of every level-0 code.
    pub fn codes_by_level(&self) -> Vec<Vec<u32>> {
        let mut levels = vec![(0..self.slots[0] as u32).collect::<Vec<u32>>()];
        for parents in &self.parents {
            let below = levels.last().expect("level 0 is there");
            let next = below.iter().map(|&c| parents[c as usize]).collect();
            levels.push(next);
        }
        levels
    }
}

/// How one step computes a value's generalisation.
enum Lift {
    Builtin(Builtin),
    /// A hierarchy level: the column's value → its value at that level.
    Map(HashMap<String, String>),
}

impl Lift {
    fn apply(&self, value: &str) -> Option<String> {
        match self {
            Lift::Builtin(b) => b.apply_text(value),
            Lift::Map(map) => map.get(value).cloned(),
        }
    }
}

/// The ladder of `column` of `view`, whose values are coded in `coded`.
pub fn ladder(view: &View, column: &str, coded: &CodedColumn) -> Result<Ladder> {
    let values: Vec<String> = (1..=coded.dictionary.len() as u32)
        .map(|code| coded.dictionary.value(code).unwrap_or_default())
        .collect();
    let steps: Vec<(Generalization, Lift)> =
        if let Some(file) = view.hierarchies.iter().find(|h| h.column == column) {
            hierarchy_steps(file, &values)?
        } else if let Some(Generalization::Builtin(name)) = view.generalization(column) {
            let applied = Builtin::parse(name)?;
            builtin_steps(after(applied))
        } else {
            builtin_steps(by_shape(column, &values))
        };
    nest(column, &values, steps)
}

fn builtin_steps(builtins: Vec<Builtin>) -> Vec<(Generalization, Lift)> {
    builtins
        .into_iter()
        .map(|b| (Generalization::Builtin(b.label()), Lift::Builtin(b)))
        .collect()
}

/// The coarser built-ins after one already applied.
fn after(applied: Builtin) -> Vec<Builtin> {
    use Builtin::*;
    match applied {
        Zip3 => vec![Zip1, Suppress],
        Zip1 => vec![Suppress],
        Month => vec![Year, Decade, Suppress],
        Year => vec![Decade, Suppress],
        Decade => vec![Suppress],
        Band(w) => vec![
            Band(w.saturating_mul(2)),
            Band(w.saturating_mul(4)),
            Suppress,
        ],
        Suppress => vec![],
    }
}

/// The built-in ladder the values' shape suggests.
fn by_shape(column: &str, values: &[String]) -> Vec<Builtin> {
    use Builtin::*;
    if values.is_empty() {
        return vec![];
    }
    let all = |f: &dyn Fn(&str) -> bool| values.iter().all(|v| f(v));
    let digits = |v: &str, n: usize| v.len() == n && v.bytes().all(|b| b.is_ascii_digit());
    let lower = column.to_ascii_lowercase();
    let named_zip = ["zip", "postal", "postcode", "plz"]
        .iter()
        .any(|n| lower.contains(n));
    let date_at = |v: &str| {
        let b = v.as_bytes();
        b.len() >= 7 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
    };
    if named_zip && all(&|v| digits(v, 5)) {
        vec![Zip3, Zip1, Suppress]
    } else if named_zip && all(&|v| digits(v, 3)) {
        vec![Zip1, Suppress]
    } else if all(&|v| date_at(v) && v.len() >= 10 && v.as_bytes()[7] == b'-') {
        vec![Month, Year, Decade, Suppress]
    } else if all(&|v| date_at(v) && v.len() == 7) {
        vec![Year, Decade, Suppress]
    } else if let Some(numbers) = values
        .iter()
        .map(|v| v.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<Vec<f64>>>()
    {
        let (lo, hi) = numbers
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let mut width: u32 = 5;
        while (hi - lo) / width as f64 > 100.0 && width < u32::MAX / 40 {
            width *= 10;
        }
        vec![Band(width), Band(width * 2), Band(width * 4), Suppress]
    } else {
        vec![Suppress]
    }
}

/// The levels of a hierarchy file above `file.level`, each mapping the column's values (at
/// that level) to the level's; the top is `suppress` when the file's last level is not one
/// value for all.
fn hierarchy_steps(file: &HierarchyFile, values: &[String]) -> Result<Vec<(Generalization, Lift)>> {
    let shown = crate::escape::path(&file.path);
    let text = crate::io::read_text(&file.path, &format!("hierarchy file {shown}"))?;
    let lines: Vec<(usize, Vec<&str>)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.split(';').collect()))
        .collect();
    let Some(levels) = lines.iter().map(|(_, f)| f.len()).min() else {
        bail!("hierarchy file {shown} is empty");
    };
    if let Some((line, _)) = lines.iter().find(|(_, f)| f.len() != levels) {
        bail!("hierarchy file {shown} line {line} has a different number of levels than line 1");
    }
    if file.level >= levels {
        bail!("hierarchy file {shown} has no level {}", file.level);
    }
    // Each value at the column's level → its line's higher levels; a value on two lines must
    // generalise alike on both, or the hierarchy is not a tree.
    let mut above: HashMap<&str, (usize, &[&str])> = HashMap::new();
    for (line, fields) in &lines {
        let higher = &fields[file.level + 1..];
        if let Some((first, earlier)) = above.insert(fields[file.level], (*line, higher)) {
            // Level 0 lists each value once, as applying the file requires.
            if file.level == 0 {
                bail!("hierarchy file {shown} line {line} repeats the value of line {first}");
            }
            if earlier != higher {
                bail!(
                    "hierarchy file {shown} line {line} generalises a value of level {} differently from line {first}",
                    file.level
                );
            }
        }
    }
    let missing = values
        .iter()
        .filter(|v| !above.contains_key(v.as_str()))
        .count();
    if missing > 0 {
        bail!(
            "{missing} distinct values of column {} are not at level {} of hierarchy file {shown}",
            crate::escape::name(&file.column),
            file.level
        );
    }
    let mut steps = Vec::new();
    for level in file.level + 1..levels {
        let map: HashMap<String, String> = above
            .iter()
            .map(|(v, (_, higher))| (v.to_string(), higher[level - file.level - 1].to_string()))
            .collect();
        steps.push((
            Generalization::Hierarchy {
                hierarchy: file.written.clone(),
                level,
            },
            Lift::Map(map),
        ));
    }
    let top_is_one_value = lines
        .iter()
        .all(|(_, f)| f[levels - 1] == lines[0].1[levels - 1]);
    if !top_is_one_value || levels == file.level + 1 {
        steps.push((
            Generalization::Builtin(Builtin::Suppress.label()),
            Lift::Builtin(Builtin::Suppress),
        ));
    }
    Ok(steps)
}

/// Codes every level's values, derives each step's parent map and checks that the levels
/// nest; steps that merge nothing are dropped.
fn nest(column: &str, values: &[String], steps: Vec<(Generalization, Lift)>) -> Result<Ladder> {
    let mut ladder = Ladder {
        column: column.to_string(),
        steps: Vec::new(),
        parents: Vec::new(),
        slots: vec![values.len() + 1],
    };
    // Per value (dictionary code − 1), its code at the level reached so far.
    let mut current: Vec<u32> = (1..=values.len() as u32).collect();
    for (step, lift) in steps {
        let mut codes: HashMap<String, u32> = HashMap::new();
        // A value missing at a level stays missing above it.
        let next: Vec<u32> = values
            .iter()
            .zip(&current)
            .map(|(v, &below)| match lift.apply(v) {
                Some(g) if below != 0 => {
                    let fresh = codes.len() as u32 + 1;
                    *codes.entry(g).or_insert(fresh)
                }
                _ => 0,
            })
            .collect();
        let below = *ladder.slots.last().expect("level 0");
        let mut parents = vec![u32::MAX; below];
        parents[0] = 0;
        for (&from, &to) in current.iter().zip(&next) {
            let parent = &mut parents[from as usize];
            if *parent != u32::MAX && *parent != to {
                bail!(
                    "column {}: the generalisation {} does not nest in the level below it",
                    crate::escape::name(column),
                    step.label()
                );
            }
            *parent = to;
        }
        // A code no value reaches (none, as codes are dense) would stay unmapped.
        for p in parents.iter_mut().filter(|p| **p == u32::MAX) {
            *p = 0;
        }
        let newly_missing = current.iter().zip(&next).any(|(&c, &n)| c != 0 && n == 0);
        if codes.len() + 1 == below && !newly_missing {
            // Merges nothing: the same classes at a higher cost.
            continue;
        }
        ladder.steps.push(step);
        ladder.parents.push(parents);
        ladder.slots.push(codes.len() + 1);
        current = next;
    }
    Ok(ladder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shapes_pick_their_ladders() {
        use Builtin::*;
        assert_eq!(
            by_shape("zip5", &texts(&["02139", "10001"])),
            vec![Zip3, Zip1, Suppress]
        );
        assert_eq!(
            by_shape("zip3", &texts(&["021", "100"])),
            vec![Zip1, Suppress]
        );
        // Five digits without a ZIP name are numbers.
        assert_eq!(
            by_shape("income", &texts(&["15000", "99000"])),
            vec![Band(5000), Band(10000), Band(20000), Suppress]
        );
        assert_eq!(
            by_shape("birth_date", &texts(&["1987-02-18", "2001-12-01"])),
            vec![Month, Year, Decade, Suppress]
        );
        assert_eq!(
            by_shape("age", &texts(&["17", "90"])),
            vec![Band(5), Band(10), Band(20), Suppress]
        );
        assert_eq!(by_shape("gender", &texts(&["F", "M"])), vec![Suppress]);
        assert!(by_shape("gender", &[]).is_empty());
    }

    /// Hand-made: ages 21, 23, 27, 41 and a missing value; bands of 5 merge 21 and 23, of 10
    /// all but 41, of 20 the same (dropped: it merges nothing more), `suppress` all.
    #[test]
    fn parent_maps_nest_and_idle_steps_go() {
        let values = texts(&["21", "23", "27", "41"]);
        let ladder = nest("age", &values, builtin_steps(by_shape("age", &values))).unwrap();
        let names: Vec<String> = ladder.steps.iter().map(Generalization::label).collect();
        assert_eq!(names, ["band:5", "band:10", "suppress"]);
        assert_eq!(ladder.slots, [5, 4, 3, 2]);
        let levels = ladder.codes_by_level();
        // Codes 1..=4 are 21, 23, 27, 41.
        assert_eq!(levels[1], [0, 1, 1, 2, 3]);
        assert_eq!(levels[2], [0, 1, 1, 1, 2]);
        assert_eq!(levels[3], [0, 1, 1, 1, 1]);
    }

    /// A value a step cannot take becomes missing there and stays missing above: `decade` of
    /// a value too short for a year, then `suppress`.
    #[test]
    fn missing_stays_missing() {
        let values = texts(&["1987", "7", "2001"]);
        let ladder = nest(
            "y",
            &values,
            builtin_steps(vec![Builtin::Decade, Builtin::Suppress]),
        )
        .unwrap();
        let levels = ladder.codes_by_level();
        assert_eq!(levels[1], [0, 1, 0, 2]);
        assert_eq!(levels[2], [0, 1, 0, 1]);
    }
}
