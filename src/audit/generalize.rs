//! Generalisations: built-in coarsenings (ZIP5 → ZIP3, date → month or year, number →
//! band) as polars expressions, and ARX-style hierarchy files applied with a join.

use std::path::Path;

use crate::bail;
use polars::prelude::*;

use crate::Result;
use crate::plan::Generalization;

pub use crate::plan::Builtin;

impl Builtin {
    /// The expression that generalises column `name` (keeping its name), exactly as
    /// [`Builtin::apply_text`] does it to one value.
    pub fn expr(&self, name: &str) -> Expr {
        let text = col(name).cast(DataType::String);
        match self {
            Builtin::Zip3 => text.str().slice(lit(0), lit(3)),
            Builtin::Zip1 => text.str().slice(lit(0), lit(1)),
            Builtin::Month => text.str().slice(lit(0), lit(7)),
            Builtin::Year => text.str().slice(lit(0), lit(4)),
            // The first three digits of the year and a zero; a value too short for a year has
            // no decade.
            Builtin::Decade => when(text.clone().str().len_chars().gt_eq(lit(3)))
                .then(text.str().slice(lit(0), lit(3)) + lit("0"))
                .otherwise(lit(NULL).cast(DataType::String)),
            // A missing value stays missing; every other value says nothing.
            Builtin::Suppress => when(text.is_null())
                .then(lit(NULL).cast(DataType::String))
                .otherwise(lit("*")),
            // floor(v / w) · w: the integer part, one less below zero when v / w has a
            // fraction (−3 falls in −10 for width 10, not in the band of 3).
            Builtin::Band(w) => {
                let q = text.cast(DataType::Float64) / lit(*w as f64);
                let whole = q.clone().cast(DataType::Int64);
                let floor = when(q.lt(whole.clone().cast(DataType::Float64)))
                    .then(whole.clone() - lit(1i64))
                    .otherwise(whole);
                (floor * lit(*w as i64)).cast(DataType::String)
            }
        }
        .alias(name)
    }
}

/// The rule a database applies for `g`, where it can be written in SQL character for
/// character as [`Builtin::apply_text`] computes it: the prefixes, the decade and suppression.
/// A band (whose number parsing differs between engines) and a hierarchy (a local file) have
/// none.
pub fn text_rule(g: &Generalization) -> Option<crate::source::sql::TextRule> {
    use crate::source::sql::TextRule;
    let Generalization::Builtin(name) = g else {
        return None;
    };
    Some(match Builtin::parse(name).ok()? {
        Builtin::Zip3 => TextRule::Prefix(3),
        Builtin::Zip1 => TextRule::Prefix(1),
        Builtin::Month => TextRule::Prefix(7),
        Builtin::Year => TextRule::Prefix(4),
        Builtin::Decade => TextRule::Decade,
        Builtin::Suppress => TextRule::Suppress,
        Builtin::Band(_) => return None,
    })
}

/// A generalisation as a function of one text value, as [`apply`] computes it: a join brings
/// the other side's compared column to the same precision with it. A value the
/// generalisation cannot take (not a number for a band, not in the hierarchy) has no
/// generalised value.
pub type TextGeneralization = Box<dyn Fn(&str) -> Option<String> + Sync>;

/// [`TextGeneralization`] of `g` (hierarchy paths as given, resolved by the caller).
pub fn text_generalization(g: &Generalization) -> Result<TextGeneralization> {
    Ok(match g {
        Generalization::Builtin(s) => {
            let b = Builtin::parse(s)?;
            Box::new(move |v: &str| b.apply_text(v))
        }
        Generalization::Hierarchy { hierarchy, level } => {
            let map = hierarchy_map(hierarchy, *level)?;
            let values = map.column("__value")?.str()?.clone();
            let general = map.column("__general")?.str()?.clone();
            let lookup: hashbrown::HashMap<String, String> = values
                .iter()
                .zip(general.iter())
                .filter_map(|(v, g)| Some((v?.to_string(), g?.to_string())))
                .collect();
            Box::new(move |v: &str| lookup.get(v).cloned())
        }
    })
}

/// Reads level `level` of an ARX hierarchy file as (value, generalised value) columns.
fn hierarchy_map(path: &Path, level: usize) -> Result<DataFrame> {
    let text = crate::io::read_text(
        path,
        &format!("hierarchy file {}", crate::escape::path(path)),
    )?;
    let mut values = Vec::new();
    let mut general = Vec::new();
    // A value listed twice would join each record to both lines: duplicated records.
    let mut first_line: hashbrown::HashMap<String, usize> = hashbrown::HashMap::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split(';').collect();
        let Some(g) = fields.get(level) else {
            bail!(
                "hierarchy file {} line {} has no level {level}",
                crate::escape::path(path),
                i + 1
            );
        };
        if let Some(earlier) = first_line.insert(fields[0].to_string(), i + 1) {
            bail!(
                "hierarchy file {} line {} repeats the value of line {earlier}",
                crate::escape::path(path),
                i + 1
            );
        }
        values.push(fields[0].to_string());
        general.push(g.to_string());
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("__value".into(), values),
        Column::new("__general".into(), general),
    ])?)
}

/// Applies a generalisation to column `name` of `df`. `base` resolves hierarchy paths.
pub fn apply(df: DataFrame, name: &str, g: &Generalization, base: &Path) -> Result<DataFrame> {
    match g {
        Generalization::Builtin(s) => {
            let b = Builtin::parse(s)?;
            let before = df.column(name)?.clone();
            let out = df.lazy().with_column(b.expr(name)).collect()?;
            // A band needs numbers: a value that is not one would silently become missing.
            if let Builtin::Band(_) = b {
                let after = out.column(name)?;
                if after.null_count() > before.null_count() {
                    let row = (0..before.len())
                        .find(|&i| {
                            !before.get(i).is_ok_and(|v| v.is_null())
                                && after.get(i).is_ok_and(|v| v.is_null())
                        })
                        .unwrap_or(0);
                    bail!(
                        "column {} has a value that is not a number in data row {} ({})",
                        crate::escape::name(name),
                        row + 1,
                        b.label()
                    );
                }
            }
            Ok(out)
        }
        Generalization::Hierarchy { hierarchy, level } => {
            let path = if hierarchy.is_absolute() {
                hierarchy.clone()
            } else {
                base.join(hierarchy)
            };
            let map = hierarchy_map(&path, *level)?;
            let before = df.column(name)?.null_count();
            let out = df
                .lazy()
                .with_column(col(name).cast(DataType::String))
                .join(
                    map.lazy(),
                    [col(name)],
                    [col("__value")],
                    JoinArgs {
                        // Row numbers (--records, keys, --apply-remedy) are the file's: keep the
                        // left's order, which polars does not promise by default.
                        maintain_order: MaintainOrderJoin::Left,
                        ..JoinArgs::new(JoinType::Left)
                    },
                )
                .with_column(col("__general").alias(name))
                .drop(cols(["__general"]))
                .collect()?;
            let unmapped = out.column(name)?.null_count() - before;
            if unmapped > 0 {
                bail!(
                    "{unmapped} values of {name} are not in hierarchy file {}",
                    path.display()
                );
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod band_tests {
    use super::*;

    /// `values` generalised by `b`'s column expression and by its per-value function.
    fn both_paths(b: Builtin, values: &[&str]) -> (Vec<Option<String>>, Vec<Option<String>>) {
        let df = DataFrame::new_infer_height(vec![Column::new("v".into(), values)]).unwrap();
        let out = df.lazy().with_column(b.expr("v")).collect().unwrap();
        let by_expr = out
            .column("v")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect();
        let by_text = values.iter().map(|v| b.apply_text(v)).collect();
        (by_expr, by_text)
    }

    /// Every built-in's column expression agrees with its per-value function.
    #[test]
    fn every_builtin_agrees_on_both_paths() {
        let values = [
            "02139",
            "021",
            "1987-02-18",
            "1987-02",
            "1987",
            "2009",
            "7",
            "",
            "Boston",
        ];
        for name in ["zip3", "zip1", "month", "year", "decade", "suppress"] {
            let b = Builtin::parse(name).unwrap();
            let (by_expr, by_text) = both_paths(b, &values);
            assert_eq!(by_expr, by_text, "{name}");
            assert_eq!(b.label(), name);
        }
        let decade = Builtin::Decade;
        assert_eq!(decade.apply_text("1987-02-18").as_deref(), Some("1980"));
        assert_eq!(decade.apply_text("2009").as_deref(), Some("2000"));
        assert_eq!(decade.apply_text("7"), None);
        assert_eq!(Builtin::Zip1.apply_text("02139").as_deref(), Some("0"));
        assert_eq!(
            Builtin::Suppress.apply_text("anything").as_deref(),
            Some("*")
        );
    }

    /// The column expression and the per-value function agree, below zero too.
    #[test]
    fn bands_floor_on_both_paths() {
        let values = ["-13", "-10", "-3", "-0.5", "0", "3", "9.99", "10", "13"];
        let (by_expr, by_text) = both_paths(Builtin::Band(10), &values);
        assert_eq!(by_expr, by_text);
        let want = ["-20", "-10", "-10", "-10", "0", "0", "0", "10", "10"];
        assert_eq!(by_text, want.map(|w| Some(w.to_string())));
    }
}
