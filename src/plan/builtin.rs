//! The built-in generalisations a plan names (`zip3`, `zip1`, `month`, `year`, `decade`,
//! `band:N`, `suppress`): their
//! vocabulary and their effect on one value. Their polars expression lives with the other
//! generalisations in `audit::generalize`.

use crate::bail;

use crate::Result;

/// A built-in generalisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Builtin {
    /// The first three characters (ZIP5 → ZIP3).
    Zip3,
    /// The first character (ZIP5 or ZIP3 → ZIP1: the national area).
    Zip1,
    /// `YYYY-MM-DD` → `YYYY-MM`.
    Month,
    /// `YYYY-MM-DD` or `YYYY-MM` → `YYYY`.
    Year,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY` → the decade's first year (`1987` → `1980`).
    Decade,
    /// Every value replaced by `*`: the column says nothing (its ladder's top).
    Suppress,
    /// A number to the lower bound of its band of this width (37 → 30 for width 10).
    Band(u32),
}

impl Builtin {
    /// Parses a plan's name for it (`zip3`, `month`, `year`, `band:N`).
    pub fn parse(s: &str) -> Result<Builtin> {
        Ok(match s {
            "zip3" => Builtin::Zip3,
            "zip1" => Builtin::Zip1,
            "month" => Builtin::Month,
            "year" => Builtin::Year,
            "decade" => Builtin::Decade,
            "suppress" => Builtin::Suppress,
            _ => match s.strip_prefix("band:").map(str::parse::<u32>) {
                Some(Ok(w)) if w > 0 => Builtin::Band(w),
                _ => bail!(
                    "unknown generalisation '{s}'; use zip3, zip1, month, year, decade, band:N, suppress or {{ hierarchy = \"file.csv\", level = N }}"
                ),
            },
        })
    }

    /// Its name in plans and reports.
    pub fn label(&self) -> String {
        match self {
            Builtin::Zip3 => "zip3".into(),
            Builtin::Zip1 => "zip1".into(),
            Builtin::Month => "month".into(),
            Builtin::Year => "year".into(),
            Builtin::Decade => "decade".into(),
            Builtin::Suppress => "suppress".into(),
            Builtin::Band(w) => format!("band:{w}"),
        }
    }

    /// One text value generalised, exactly as `Builtin::expr` (in
    /// `audit::generalize`) does it to a column.
    pub fn apply_text(&self, value: &str) -> Option<String> {
        let prefix = |n: usize| Some(value.chars().take(n).collect());
        match self {
            Builtin::Zip3 => prefix(3),
            Builtin::Zip1 => prefix(1),
            Builtin::Month => prefix(7),
            Builtin::Year => prefix(4),
            Builtin::Decade => {
                let year: String = value.chars().take(3).collect();
                (year.chars().count() == 3).then(|| format!("{year}0"))
            }
            Builtin::Suppress => Some("*".to_string()),
            Builtin::Band(w) => {
                let v: f64 = value.trim().parse().ok()?;
                let q = (v / *w as f64).floor();
                q.is_finite().then(|| ((q as i64) * *w as i64).to_string())
            }
        }
    }
}
