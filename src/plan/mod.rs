//! The audit plan: named sources with column roles and generalisations, an ordered list of
//! join steps, and a policy. Parsed from TOML with unknown keys rejected; every error names
//! the key, source or step. The schema is documented in docs/plan.md.

mod builtin;
pub mod demo;
mod thresholds;
mod validate;

pub use thresholds::{DEFAULT_UNICITY_P, Thresholds};

pub use builtin::Builtin;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Context as _;
use serde::Deserialize;

use crate::Result;
pub use crate::normalize::{EmailRules, HashAlgorithm};

/// What a column is to an attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A direct identifier (a name, an email, a customer id): the view is identified by design.
    Id,
    /// A quasi-identifier: measured, and compared by quasi steps.
    Qi,
    /// A sensitive attribute: l-diversity and t-closeness.
    Sensitive,
    /// A key that links records without naming anyone by itself: a loyalty id in a purchase
    /// table, a token, a hashed email. Not measured and it does not make a view identified,
    /// but anyone holding the key's other side can link the records.
    Pseudonym,
    /// Carried along, never measured (row numbers, truth maps).
    Other,
}

/// A generalisation the data holder applied or could apply.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(untagged)]
pub enum Generalization {
    /// `"zip3"`, `"year"`, `"month"`, `"band:10"` (numbers to bands of width 10).
    Builtin(String),
    /// A hierarchy CSV (ARX format: `;`-separated, most specific value first).
    Hierarchy {
        /// The file, relative to the plan.
        hierarchy: PathBuf,
        /// The level used: 1 is the first generalisation (the file's second column).
        #[serde(default = "one")]
        level: usize,
    },
}

impl Generalization {
    /// How reports name it: `zip3`, `band:10`, `level 2 of hierarchy_age.csv`.
    pub fn label(&self) -> String {
        match self {
            Generalization::Builtin(name) => name.clone(),
            Generalization::Hierarchy { hierarchy, level } => format!(
                "level {level} of {}",
                hierarchy
                    .file_name()
                    .map_or_else(|| hierarchy.to_string_lossy(), |n| n.to_string_lossy())
            ),
        }
    }
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
/// The plan's `[policy]`: the thresholds every view is judged by, and how views are measured.
pub struct PolicySpec {
    /// Every view must be k-anonymous (default 5).
    #[serde(default = "default_k")]
    pub k: u32,
    /// The most records a view may have unique on its QIs, as a fraction.
    pub max_unique_fraction: Option<f64>,
    /// Every sensitive attribute must be distinct l-diverse.
    pub l: Option<usize>,
    /// Every sensitive attribute entropy l-diverse for this l.
    pub entropy_l: Option<f64>,
    /// Every sensitive attribute recursive (c, l)-diverse for this c.
    pub recursive_c: Option<f64>,
    /// Every sensitive attribute t-close for this t.
    pub t: Option<f64>,
    /// The most average prosecutor risk of a view.
    pub max_prosecutor_avg: Option<f64>,
    /// The most prosecutor risk of any record (or person) of a view.
    pub max_prosecutor_max: Option<f64>,
    /// The most a step that attaches identities may identify of a view meant to be anonymous
    /// (default 0).
    pub max_reidentified_fraction: Option<f64>,
    /// The most unicity ε_p of a source's purchase histories, at `unicity_p` points.
    pub max_unicity: Option<f64>,
    /// The points `max_unicity` is judged at (default 4).
    pub unicity_p: Option<usize>,
    /// The most population uniques, as a fraction of the population.
    pub max_population_unique_fraction: Option<f64>,
    /// The largest fraction of a view's records (or people) a remedy may suppress to meet the
    /// policy (default 0: remedies generalise only). `--max-suppression` overrides it.
    #[serde(default)]
    pub max_suppression: f64,
    /// A key, normalized or hashed step whose output would pass this many rows is refused
    /// before it is built (default 50,000,000).
    #[serde(default = "default_max_join_rows")]
    pub max_join_rows: u64,
    /// Size of the population the sources were drawn from (population uniqueness).
    pub population: Option<f64>,
    /// A source that is the population: journalist risk for every view whose QIs it holds.
    pub population_table: Option<String>,
    /// How a missing QI value matches: "value" (default) or "wildcard".
    #[serde(default)]
    pub nulls: crate::engine::NullMode,
    /// Unicity of sources with `points`: the largest p drawn.
    #[serde(default = "default_unicity")]
    pub unicity_max_points: usize,
    /// Draws per person and p.
    #[serde(default = "default_unicity")]
    pub unicity_draws: usize,
    /// The seed of the draws.
    #[serde(default)]
    pub unicity_seed: u64,
}

fn default_unicity() -> usize {
    10
}

impl PolicySpec {
    /// The thresholds every view is judged by unless its own `policy` overrides them.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            k: Some(self.k),
            max_unique_fraction: self.max_unique_fraction,
            l: self.l,
            entropy_l: self.entropy_l,
            recursive_c: self.recursive_c,
            t: self.t,
            max_prosecutor_avg: self.max_prosecutor_avg,
            max_prosecutor_max: self.max_prosecutor_max,
            max_reidentified_fraction: self.max_reidentified_fraction,
            max_unicity: self.max_unicity,
            unicity_p: self.unicity_p,
            max_population_unique_fraction: self.max_population_unique_fraction,
        }
    }
}

impl Default for PolicySpec {
    fn default() -> Self {
        PolicySpec {
            k: default_k(),
            max_unique_fraction: None,
            l: None,
            entropy_l: None,
            recursive_c: None,
            t: None,
            max_prosecutor_avg: None,
            max_prosecutor_max: None,
            max_reidentified_fraction: None,
            max_unicity: None,
            unicity_p: None,
            max_population_unique_fraction: None,
            max_suppression: 0.0,
            max_join_rows: default_max_join_rows(),
            population: None,
            population_table: None,
            nulls: Default::default(),
            unicity_max_points: default_unicity(),
            unicity_draws: default_unicity(),
            unicity_seed: 0,
        }
    }
}

/// Extra columns joined onto a source from another file (e.g. a ground-truth map).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attach {
    /// The file, relative to the plan (or `url` instead).
    #[serde(default)]
    pub path: PathBuf,
    /// A database holding the records (`postgresql://user@host:port/db`, `sc://host:port`),
    /// with `table` or `query`, instead of `path`.
    pub url: Option<String>,
    /// The database's table of records.
    pub table: Option<String>,
    /// A query whose rows are the database's records.
    pub query: Option<String>,
    /// The key column, in both the source and the file; each key at most once in the file.
    pub on: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// A `[[source]]`: a file, the role of each column, and what the data holder generalised.
pub struct SourceSpec {
    /// The view's name in the report and in join steps.
    pub name: String,
    /// The file, relative to the plan (or `url` instead).
    #[serde(default)]
    pub path: PathBuf,
    /// A database holding the records (`postgresql://user@host:port/db`, `sc://host:port`),
    /// with `table` or `query`, instead of `path`.
    pub url: Option<String>,
    /// The database's table of records.
    pub table: Option<String>,
    /// A query whose rows are the database's records.
    pub query: Option<String>,
    /// The role of each column read.
    pub columns: BTreeMap<String, Role>,
    /// Generalisations applied at load: what the data holder released.
    #[serde(default)]
    pub generalize: BTreeMap<String, Generalization>,
    /// Generalisations already applied to the file's values (by `audit --apply-remedy`, or by
    /// whoever exported it): recorded, not applied again. A join brings the other side's
    /// compared column to the same step, and the remedy search climbs on from it.
    #[serde(default)]
    pub generalized: BTreeMap<String, Generalization>,
    /// Hierarchy files (ARX format) of QI columns, climbed by the remedy search but not
    /// applied: `{ age = "hierarchy_age.csv" }`.
    #[serde(default)]
    pub hierarchies: BTreeMap<String, PathBuf>,
    /// The CSV delimiter (one character, or `tab`); sniffed when absent.
    pub delimiter: Option<String>,
    /// Trim surrounding whitespace of text values.
    #[serde(default)]
    pub strip: bool,
    /// Extra strings that mean "missing".
    #[serde(default)]
    pub null_values: Vec<String>,
    /// Extra columns joined on from another file, carried without a role.
    pub attach: Option<Attach>,
    /// A source meant to be released: the policy judges it even if it holds identifiers.
    #[serde(default)]
    pub release: bool,
    /// The column that names the person (one person, many rows): figures count people.
    pub entity: Option<String>,
    /// Purchase-history unicity: the columns whose tuple is one point of a person's trace.
    #[serde(default)]
    pub points: Vec<String>,
    /// Point columns coarsened in time: `{ ts = "day" }` (hour, day, week, month).
    #[serde(default)]
    pub time: BTreeMap<String, String>,
    /// Numeric point columns banded: `{ price = "log" }` or a width.
    #[serde(default)]
    pub band: BTreeMap<String, String>,
    /// Thresholds for this source's view that replace the plan's `[policy]` ones.
    pub policy: Option<Thresholds>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
/// How a join step links records.
pub enum JoinKind {
    /// Equal values of shared key columns.
    Key,
    /// Equal normalised emails or phones.
    Normalized,
    /// A plain hash of the left's normalised identifier equal to the right's column.
    Hashed,
    /// Quasi-identifier linkage: a target record is linked to the identified records it
    /// agrees with on the compared columns.
    Quasi,
}

impl JoinKind {
    /// The kind as the plan and the JSON report spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            JoinKind::Key => "key",
            JoinKind::Normalized => "normalized",
            JoinKind::Hashed => "hashed",
            JoinKind::Quasi => "quasi",
        }
    }
}

/// What a normalised or hashed join normalises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Identifier {
    /// An email address (lower-cased; plus tags and Gmail dots per the rules).
    Email,
    /// A phone number (its national digits).
    Phone,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// Columns naming the same person on both sides of a step.
pub struct TruthSpec {
    /// The left side's column.
    pub left: String,
    /// The right side's column.
    pub right: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// A `[[join]]` step, performed in plan order.
pub struct JoinSpec {
    /// The step's name; its output is a view of that name.
    pub name: String,
    /// The left view: a source or an earlier step.
    pub left: String,
    /// The right view (for a quasi step, the target).
    pub right: String,
    /// How records are linked.
    pub kind: JoinKind,
    /// Compared columns of the same name on both sides.
    #[serde(default)]
    pub on: Vec<String>,
    /// Compared columns of the left side, paired with `right_on`.
    #[serde(default)]
    pub left_on: Vec<String>,
    /// Compared columns of the right side.
    #[serde(default)]
    pub right_on: Vec<String>,
    /// For `normalized` and `hashed`: what the key is.
    pub normalize: Option<Identifier>,
    /// How emails are normalised.
    #[serde(default)]
    pub email_rules: EmailRules,
    /// For `hashed`: the hash on the right side; guessed from its length when absent.
    pub hash: Option<HashAlgorithm>,
    /// For `key`, `normalized` and `hashed`: several identifiers, a right record linking to
    /// the left records that agree on any of them (instead of `on` and `normalize`).
    #[serde(default)]
    pub match_any: Vec<MatchSpec>,
    /// Columns that name the same person on both sides: links are judged correct or false.
    pub truth: Option<TruthSpec>,
    /// Thresholds for this step's output (and the identities it attaches) that replace the
    /// plan's `[policy]` ones.
    pub policy: Option<Thresholds>,
    /// Columns of the step's output to leave out (e.g. the identifiers it would attach).
    #[serde(default)]
    pub drop: Vec<String>,
    /// The only columns with a role the step's output keeps (the others are left out).
    #[serde(default)]
    pub keep: Vec<String>,
}

/// One identifier an attacker compares: an entry of `match_any`, or a step's own `on`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// Compared columns of the same name on both sides.
    #[serde(default)]
    pub on: Vec<String>,
    /// Compared columns of the left side, paired with `right_on`.
    #[serde(default)]
    pub left_on: Vec<String>,
    /// Compared columns of the right side.
    #[serde(default)]
    pub right_on: Vec<String>,
    /// `key`, `normalized` or `hashed`; the step's kind when absent.
    pub kind: Option<JoinKind>,
    /// What the key is, for `normalized` and `hashed`.
    pub normalize: Option<Identifier>,
    /// How emails are normalised.
    #[serde(default)]
    pub email_rules: EmailRules,
    /// The hash on the right side; guessed from its length when absent.
    pub hash: Option<HashAlgorithm>,
}

impl MatchSpec {
    /// The compared columns of each side.
    pub fn columns(&self) -> (Vec<String>, Vec<String>) {
        pair_columns(&self.on, &self.left_on, &self.right_on)
    }
}

fn pair_columns(
    on: &[String],
    left_on: &[String],
    right_on: &[String],
) -> (Vec<String>, Vec<String>) {
    if left_on.is_empty() && right_on.is_empty() {
        (on.to_vec(), on.to_vec())
    } else {
        (left_on.to_vec(), right_on.to_vec())
    }
}

impl JoinSpec {
    /// The join columns of each side (every identifier's, for `match_any`).
    pub fn columns(&self) -> (Vec<String>, Vec<String>) {
        if self.match_any.is_empty() {
            pair_columns(&self.on, &self.left_on, &self.right_on)
        } else {
            let (mut left, mut right) = (Vec::new(), Vec::new());
            for m in &self.match_any {
                let (l, r) = m.columns();
                left.extend(l);
                right.extend(r);
            }
            (left, right)
        }
    }

    /// The identifiers of a key, normalized or hashed step, each with its kind resolved.
    pub fn identifiers(&self) -> Vec<MatchSpec> {
        if self.match_any.is_empty() {
            vec![MatchSpec {
                on: self.on.clone(),
                left_on: self.left_on.clone(),
                right_on: self.right_on.clone(),
                kind: Some(self.kind),
                normalize: self.normalize,
                email_rules: self.email_rules,
                hash: self.hash,
            }]
        } else {
            self.match_any
                .iter()
                .map(|m| MatchSpec {
                    kind: Some(m.kind.unwrap_or(self.kind)),
                    ..m.clone()
                })
                .collect()
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// An audit plan: sources, join steps and the policy.
pub struct Plan {
    /// The thresholds.
    #[serde(default)]
    pub policy: PolicySpec,
    /// The `[[source]]` entries.
    #[serde(rename = "source", default)]
    pub sources: Vec<SourceSpec>,
    /// The `[[join]]` steps, in order.
    #[serde(rename = "join", default)]
    pub joins: Vec<JoinSpec>,
    /// Folder that relative paths are resolved against (the plan's folder).
    #[serde(skip)]
    pub base: PathBuf,
    /// The plan file, when it was loaded from one (its provenance).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

impl Attach {
    /// Where the attached records are: its database URL, or its file resolved against the
    /// plan's folder.
    pub fn location(&self, plan: &Plan) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => plan.resolve(&self.path).to_string_lossy().to_string(),
        }
    }
}

impl SourceSpec {
    /// Where the source's records are: its database URL, or its file resolved against the
    /// plan's folder.
    pub fn location(&self, plan: &Plan) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => plan.resolve(&self.path).to_string_lossy().to_string(),
        }
    }
}

impl Plan {
    /// Reads and validates a plan file.
    pub fn load(path: &Path) -> Result<Plan> {
        let text = crate::io::read_text(path, &crate::escape::path(path))?;
        let mut plan = Plan::parse(&text).with_context(|| format!("plan {}", path.display()))?;
        plan.base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        plan.path = Some(path.to_path_buf());
        Ok(plan)
    }

    /// Parses and validates plan text.
    pub fn parse(text: &str) -> Result<Plan> {
        let plan: Plan = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(String::new(), |s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(" (line {line}, column {column})")
            });
            let message: Vec<&str> = e.message().lines().map(str::trim).collect();
            crate::invalid!("{}{at}", crate::escape::line(&message.join("; ")))
        })?;
        plan.validate()?;
        Ok(plan)
    }

    /// Every file the plan reads (sources, attached files, hierarchies), resolved: an output of
    /// the run must be none of them.
    pub fn inputs(&self) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        for source in &self.sources {
            if source.url.is_none() {
                paths.push(self.resolve(&source.path));
            }
            if let Some(attach) = &source.attach {
                paths.push(self.resolve(&attach.path));
            }
            for g in source
                .generalize
                .values()
                .chain(source.generalized.values())
            {
                if let Generalization::Hierarchy { hierarchy, .. } = g {
                    paths.push(self.resolve(hierarchy));
                }
            }
            for hierarchy in source.hierarchies.values() {
                paths.push(self.resolve(hierarchy));
            }
        }
        paths
    }

    /// Resolves a path of the plan against its folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base.join(path)
        }
    }
}
