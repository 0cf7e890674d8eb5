//! The audit plan: named sources with column roles and generalisations, an ordered list of
//! join steps, and a policy. Parsed from TOML with unknown keys rejected; every error names
//! the key, source or step. The schema is documented in docs/plan.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::Deserialize;

use crate::Result;
use crate::normalize::{EmailRules, HashAlgorithm};

/// What a column is to an attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Id,
    Qi,
    Sensitive,
    Other,
}

/// A generalisation the data holder applied or could apply.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Generalization {
    /// `"zip3"`, `"year"`, `"month"`, `"band:10"` (numbers to bands of width 10).
    Builtin(String),
    /// A hierarchy CSV (ARX format: `;`-separated, most specific value first).
    Hierarchy {
        hierarchy: PathBuf,
        #[serde(default = "one")]
        level: usize,
    },
}

fn one() -> usize {
    1
}

fn default_k() -> u32 {
    5
}

fn default_max_join_rows() -> u64 {
    50_000_000
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    #[serde(default = "default_k")]
    pub k: u32,
    pub max_unique_fraction: Option<f64>,
    pub l: Option<usize>,
    #[serde(default = "default_max_join_rows")]
    pub max_join_rows: u64,
    /// Size of the population the sources were drawn from (population uniqueness).
    pub population: Option<f64>,
    /// A source that is the population: journalist risk for every view whose QIs it holds.
    pub population_table: Option<String>,
    /// How a missing QI value matches: "value" (default) or "wildcard".
    #[serde(default)]
    pub nulls: crate::engine::NullMode,
}

impl Default for PolicySpec {
    fn default() -> Self {
        PolicySpec {
            k: default_k(),
            max_unique_fraction: None,
            l: None,
            max_join_rows: default_max_join_rows(),
            population: None,
            population_table: None,
            nulls: Default::default(),
        }
    }
}

/// Extra columns joined onto a source from another file (e.g. a ground-truth map).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attach {
    pub path: PathBuf,
    pub on: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub name: String,
    pub path: PathBuf,
    pub columns: BTreeMap<String, Role>,
    #[serde(default)]
    pub generalize: BTreeMap<String, Generalization>,
    pub delimiter: Option<String>,
    #[serde(default)]
    pub strip: bool,
    #[serde(default)]
    pub null_values: Vec<String>,
    pub attach: Option<Attach>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JoinKind {
    Key,
    Normalized,
    Hashed,
    Quasi,
}

/// What a normalised or hashed join normalises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Identifier {
    Email,
    Phone,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruthSpec {
    pub left: String,
    pub right: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinSpec {
    pub name: String,
    pub left: String,
    pub right: String,
    pub kind: JoinKind,
    #[serde(default)]
    pub on: Vec<String>,
    #[serde(default)]
    pub left_on: Vec<String>,
    #[serde(default)]
    pub right_on: Vec<String>,
    /// For `normalized` and `hashed`: what the key is.
    pub normalize: Option<Identifier>,
    #[serde(default)]
    pub email_rules: EmailRules,
    /// For `hashed`: the hash on the right side; guessed from its length when absent.
    pub hash: Option<HashAlgorithm>,
    pub truth: Option<TruthSpec>,
}

impl JoinSpec {
    /// The join columns of each side.
    pub fn columns(&self) -> (Vec<String>, Vec<String>) {
        if self.left_on.is_empty() && self.right_on.is_empty() {
            (self.on.clone(), self.on.clone())
        } else {
            (self.left_on.clone(), self.right_on.clone())
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[serde(default)]
    pub policy: PolicySpec,
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceSpec>,
    #[serde(rename = "join", default)]
    pub joins: Vec<JoinSpec>,
    /// Folder that relative paths are resolved against (the plan's folder).
    #[serde(skip)]
    pub base: PathBuf,
}

impl Plan {
    /// Reads and validates a plan file.
    pub fn load(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut plan = Plan::parse(&text).with_context(|| format!("plan {}", path.display()))?;
        plan.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(plan)
    }

    /// Parses and validates plan text.
    pub fn parse(text: &str) -> Result<Plan> {
        let plan: Plan = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .map_or(String::new(), |l| format!(" (line {l})"));
            anyhow::anyhow!("{}{line}", e.message().trim())
        })?;
        plan.validate()?;
        Ok(plan)
    }

    /// Resolves a path of the plan against its folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base.join(path)
        }
    }

    fn validate(&self) -> Result<()> {
        let mut names: Vec<&str> = Vec::new();
        for source in &self.sources {
            if names.contains(&source.name.as_str()) {
                bail!("duplicate name '{}'", source.name);
            }
            names.push(&source.name);
            for column in source.generalize.keys() {
                if !source.columns.contains_key(column) {
                    bail!(
                        "source '{}': generalize names column '{column}', which is not in its columns",
                        source.name
                    );
                }
            }
            for (column, g) in &source.generalize {
                if let Generalization::Builtin(s) = g {
                    crate::audit::generalize::Builtin::parse(s).with_context(|| {
                        format!("source '{}': generalize.{column}", source.name)
                    })?;
                }
            }
        }
        if let Some(p) = &self.policy.population_table
            && !self.sources.iter().any(|s| &s.name == p)
        {
            bail!("policy.population_table names unknown source '{p}'");
        }
        if self.policy.k == 0 {
            bail!("policy.k must be at least 1");
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
            let (l, r) = join.columns();
            if l.is_empty() || l.len() != r.len() {
                bail!(
                    "join '{}' needs 'on' (or 'left_on' and 'right_on' of equal length)",
                    join.name
                );
            }
            if matches!(join.kind, JoinKind::Normalized | JoinKind::Hashed) && l.len() != 1 {
                bail!(
                    "join '{}': a {:?} join links one column on each side",
                    join.name,
                    join.kind
                );
            }
            if matches!(join.kind, JoinKind::Normalized | JoinKind::Hashed)
                && join.normalize.is_none()
            {
                bail!(
                    "join '{}' needs normalize = \"email\" or \"phone\"",
                    join.name
                );
            }
            names.push(&join.name);
        }
        Ok(())
    }
}

/// The bundled demo plan.
pub fn demo_plan_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/retail/audit.toml")
}
