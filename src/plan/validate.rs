//! A parsed plan checked as a whole: names unique, every column, source, step and policy
//! value that refers to another one resolved, each error naming the key, source or step.

use super::*;
use crate::Result;
use crate::bail;

impl Plan {
    /// Refuses a plan whose parts do not fit together.
    pub(super) fn validate(&self) -> Result<()> {
        let mut names: Vec<&str> = Vec::new();
        for source in &self.sources {
            if names.contains(&source.name.as_str()) {
                bail!("duplicate name '{}'", source.name);
            }
            names.push(&source.name);
            check_place(
                &format!("source '{}'", source.name),
                &source.path,
                source.url.as_deref(),
                source.table.is_some(),
                source.query.is_some(),
            )?;
            if let Some(attach) = &source.attach {
                check_place(
                    &format!("source '{}': attach", source.name),
                    &attach.path,
                    attach.url.as_deref(),
                    attach.table.is_some(),
                    attach.query.is_some(),
                )?;
            }
            for (key, steps) in [
                ("generalize", &source.generalize),
                ("generalized", &source.generalized),
            ] {
                for column in steps.keys() {
                    if !source.columns.contains_key(column) {
                        bail!(
                            "source '{}': {key} names column '{column}', which is not in its columns",
                            source.name
                        );
                    }
                }
            }
            if let Some(column) = source
                .generalized
                .keys()
                .find(|c| source.generalize.contains_key(*c))
            {
                bail!(
                    "source '{}': column '{column}' is in generalize and in generalized; a column is generalised once (generalized: already in the file's values)",
                    source.name
                );
            }
            if let Some(entity) = &source.entity
                && matches!(
                    source.columns.get(entity),
                    Some(Role::Qi) | Some(Role::Sensitive)
                )
            {
                bail!(
                    "source '{}': entity column '{entity}' cannot also be a qi or sensitive column",
                    source.name
                );
            }
            if !source.points.is_empty() && source.entity.is_none() {
                bail!(
                    "source '{}': points needs entity = \"...\", the column naming the person whose purchases the points are",
                    source.name
                );
            }
            for (key, columns) in [("time", &source.time), ("band", &source.band)] {
                if let Some(column) = columns.keys().find(|c| !source.points.contains(c)) {
                    bail!(
                        "source '{}': {key} names column '{column}', which is not one of its points",
                        source.name
                    );
                }
            }
            for column in source.hierarchies.keys() {
                if source.columns.get(column) != Some(&Role::Qi) {
                    bail!(
                        "source '{}': hierarchies names column '{column}', which is not one of its qi columns",
                        source.name
                    );
                }
                if source.generalize.contains_key(column) || source.generalized.contains_key(column)
                {
                    bail!(
                        "source '{}': column '{column}' is in generalize (or generalized) and in hierarchies; the remedy search climbs a generalised column's own ladder (a hierarchy's higher levels, a built-in's coarser steps)",
                        source.name
                    );
                }
            }
            for (key, steps) in [
                ("generalize", &source.generalize),
                ("generalized", &source.generalized),
            ] {
                for (column, g) in steps {
                    if let Generalization::Builtin(s) = g {
                        Builtin::parse(s)
                            .with_context(|| format!("source '{}': {key}.{column}", source.name))?;
                    }
                }
            }
        }
        if let Some(p) = &self.policy.population_table
            && !self.sources.iter().any(|s| &s.name == p)
        {
            bail!("policy.population_table names unknown source '{p}'");
        }
        self.policy.thresholds().validate("policy")?;
        for source in &self.sources {
            if let Some(t) = &source.policy {
                t.validate(&format!("source '{}': policy", source.name))?;
            }
        }
        for join in &self.joins {
            if !join.drop.is_empty() && !join.keep.is_empty() {
                bail!("join '{}': give drop or keep, not both", join.name);
            }
            if let Some(t) = &join.policy {
                t.validate(&format!("join '{}': policy", join.name))?;
            }
        }
        let suppression = self.policy.max_suppression;
        if !suppression.is_finite() || !(0.0..1.0).contains(&suppression) {
            bail!("policy.max_suppression must be a fraction of at least 0 and below 1");
        }
        if let Some(n) = self.policy.population {
            if !n.is_finite() {
                bail!("policy.population is not a finite number");
            }
            if n < 1.0 {
                bail!("policy.population must be at least 1");
            }
        }
        if self.policy.max_join_rows == 0 {
            bail!("policy.max_join_rows must be at least 1");
        }
        if self.sources.is_empty() {
            bail!("the plan has no [[source]]: nothing to audit");
        }
        use crate::metrics::unicity::{MAX_DRAWS, MAX_POINTS};
        if !(1..=MAX_POINTS).contains(&self.policy.unicity_max_points) {
            bail!("policy.unicity_max_points must be from 1 to {MAX_POINTS}");
        }
        if !(1..=MAX_DRAWS).contains(&self.policy.unicity_draws) {
            bail!("policy.unicity_draws must be from 1 to {MAX_DRAWS}");
        }
        for join in &self.joins {
            if names.contains(&join.name.as_str()) {
                bail!("duplicate name '{}'", join.name);
            }
            for side in [&join.left, &join.right] {
                if !names.contains(&side.as_str()) {
                    if self.joins.iter().any(|j| &j.name == side) {
                        bail!(
                            "join '{}' refers to '{side}', a step that comes later in the plan",
                            join.name
                        );
                    }
                    bail!(
                        "join '{}' refers to unknown source or step '{side}'",
                        join.name
                    );
                }
            }
            if !join.match_any.is_empty() {
                if join.kind == JoinKind::Quasi {
                    bail!(
                        "join '{}': match_any is for key, normalized and hashed steps",
                        join.name
                    );
                }
                if !join.on.is_empty()
                    || !join.left_on.is_empty()
                    || !join.right_on.is_empty()
                    || join.normalize.is_some()
                    || join.hash.is_some()
                {
                    bail!(
                        "join '{}': give either match_any or on/normalize/hash, not both",
                        join.name
                    );
                }
            }
            let checks: Vec<(String, MatchSpec)> = if join.kind == JoinKind::Quasi {
                vec![(
                    String::new(),
                    MatchSpec {
                        on: join.on.clone(),
                        left_on: join.left_on.clone(),
                        right_on: join.right_on.clone(),
                        kind: Some(JoinKind::Quasi),
                        normalize: None,
                        email_rules: join.email_rules,
                        hash: None,
                    },
                )]
            } else if join.match_any.is_empty() {
                vec![(String::new(), join.identifiers().remove(0))]
            } else {
                join.identifiers()
                    .into_iter()
                    .enumerate()
                    .map(|(i, m)| (format!(" match_any[{i}]"), m))
                    .collect()
            };
            for (at, m) in &checks {
                let name = &join.name;
                if !m.on.is_empty() && (!m.left_on.is_empty() || !m.right_on.is_empty()) {
                    bail!(
                        "join '{name}'{at}: give either 'on' or 'left_on' and 'right_on', not both"
                    );
                }
                let (l, r) = m.columns();
                if l.is_empty() || l.len() != r.len() {
                    bail!(
                        "join '{name}'{at} needs 'on' (or 'left_on' and 'right_on' of equal length)"
                    );
                }
                let kind = m.kind.unwrap_or(join.kind);
                if !at.is_empty() && kind == JoinKind::Quasi {
                    bail!(
                        "join '{name}'{at}: an identifier is compared by key, normalized or hashed"
                    );
                }
                if matches!(kind, JoinKind::Normalized | JoinKind::Hashed) && l.len() != 1 {
                    bail!("join '{name}'{at}: a {kind:?} comparison links one column on each side");
                }
                if matches!(kind, JoinKind::Normalized | JoinKind::Hashed) && m.normalize.is_none()
                {
                    bail!("join '{name}'{at} needs normalize = \"email\" or \"phone\"");
                }
            }
            names.push(&join.name);
        }
        Ok(())
    }
}

/// Where records are: a file (`path`) or a database (`url` with `table` or `query`), one of
/// them. `owner` names them in messages (`source 'x'`, `source 'x': attach`).
fn check_place(
    owner: &str,
    path: &std::path::Path,
    url: Option<&str>,
    table: bool,
    query: bool,
) -> Result<()> {
    match (url, path.as_os_str().is_empty()) {
        (None, true) => {
            bail!("{owner} has no path (a file) or url (a database with table or query)")
        }
        (Some(_), false) => bail!("{owner} has both path and url: give one"),
        (Some(url), true) => {
            if !crate::source::database::is_url(url) {
                bail!("{owner} url must be a postgresql:// or sc:// URL");
            }
            if table == query {
                bail!("{owner} url needs table or query (one of them)");
            }
        }
        (None, false) => {
            if table || query {
                bail!("{owner} table and query name a database's records; give url");
            }
        }
    }
    Ok(())
}
