//! An audit plan run where its data lives. When every source of a plan (and every attached
//! table) is a table or query of one Spark Connect server, the plan runs in one Spark session:
//!
//! - each source becomes a cached table of the session: its columns as text (an empty text
//!   missing), the built-in generalisations applied, the attached columns joined, and a row
//!   number `__lr_row` that keeps the records' order;
//! - each key, normalised, hashed or `match_any` step becomes a cached table of the linked
//!   pairs, its row number the pair of its inputs' (so the pairs keep the local engine's order:
//!   by left record, then right record); the identifiers are compared in Spark SQL, normalised
//!   and hashed as `normalize` does (`source::sql::spark_identifiers`);
//! - the step's figures (pairs, linked records, colliding keys, correct and false links, the
//!   linked people) and hashed-identifier detection's match rates are SQL aggregates;
//! - only each view's measured columns come back (its QIs, sensitive attributes and entity,
//!   and the columns quasi steps and truth maps compare), to be measured here as any view:
//!   of the identifiers, only the 1,000-value samples of hashed-identifier detection leave
//!   the server (to tell digests, emails and phones apart). The measured columns are fetched when the view is
//!   measured and given back once it is ([`Pushdown::release_frame`]); a quasi step or a
//!   remedy fetches them again ([`Pushdown::restore`]).
//!
//! docs/class-table.md lists, per figure, where it is computed.

use std::cell::Cell;

use polars::prelude::*;

use super::generalize;
use super::hashed::{self, HashedMatch};
use super::join::{EntityFrom, JoinOutcome, joined_shape, new_name, pair_name, right_names};
use super::view::{Remote, View};
use crate::Result;
use crate::model::{IdentifierLinks, TruthLinks};
use crate::normalize::{EmailRules, HashAlgorithm};
use crate::plan::{Identifier, JoinKind, JoinSpec, MatchSpec, Plan, Role, SourceSpec};
use crate::source::Source;
use crate::source::spark::{self, Spark};
use crate::source::sql::{Dialect, Records, fetched_value, spark_identifiers as ids};

/// The row number of a view's table: a source's record number, a step's pair of its inputs'.
const ROW: &str = "__lr_row";

/// Values sampled per column to tell what it holds (hashed-identifier detection).
const SAMPLE: usize = 1000;

/// A column name quoted for Spark SQL.
fn q(name: &str) -> String {
    Dialect::Spark.quote(name)
}

/// One identifier of a step, as Spark compares it.
struct Keyed {
    spec: MatchSpec,
    /// Per compared column, the key over the left record `l` and over the right record `r`:
    /// missing where the record has no key.
    keys: Vec<(String, String)>,
    /// The comparison in words, as the report shows it.
    comparison: String,
}

impl Keyed {
    /// The records `l` and `r` agree on every compared column.
    fn condition(&self) -> String {
        self.keys
            .iter()
            .map(|(l, r)| format!("{l} = {r}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// A plan running in one Spark session.
pub struct Pushdown {
    spark: Spark,
    /// Tables created so far in the session (each gets the next number).
    tables: Cell<usize>,
    /// Columns a view keeps here besides its QIs, sensitive attributes and entity: those quasi
    /// steps and truth maps compare.
    compared: Vec<String>,
    /// The plan's population table: a source kept here whole.
    population: Option<String>,
}

impl Drop for Pushdown {
    /// The session's cached tables are freed when the run ends, however it ends.
    fn drop(&mut self) {
        if self.tables.get() > 0 {
            self.spark.release();
        }
    }
}

impl Pushdown {
    /// The session that runs `plan` in Spark, when every source and attached table of it is
    /// in one Spark Connect server (reached as one user) and every generalisation that runs
    /// here (bands, hierarchies) is of a measured column; `None` otherwise (the plan runs here,
    /// reading the named columns of each source).
    pub fn of(plan: &Plan) -> Result<Option<Pushdown>> {
        let mut urls: Vec<&str> = Vec::new();
        for spec in &plan.sources {
            let Some(url) = spec.url.as_deref().filter(|u| spark::is_url(u)) else {
                return Ok(None);
            };
            urls.push(url);
            if let Some(attach) = &spec.attach {
                let Some(url) = attach.url.as_deref().filter(|u| spark::is_url(u)) else {
                    return Ok(None);
                };
                urls.push(url);
            }
            let measured =
                |c: &String| matches!(spec.columns.get(c), Some(Role::Qi | Role::Sensitive));
            if spec
                .generalize
                .iter()
                .any(|(c, g)| generalize::text_rule(g).is_none() && !measured(c))
            {
                return Ok(None);
            }
        }
        let Some(first) = urls.first() else {
            return Ok(None);
        };
        let spark = Spark::session(first)?;
        for url in &urls[1..] {
            if !Spark::session(url)?.same_server(&spark) {
                return Ok(None);
            }
        }
        let mut compared: Vec<String> = Vec::new();
        for step in &plan.joins {
            if step.kind == JoinKind::Quasi {
                let (l, r) = step.columns();
                compared.extend(l);
                compared.extend(r);
            }
            if let Some(t) = &step.truth {
                compared.push(t.left.clone());
                compared.push(t.right.clone());
            }
        }
        Ok(Some(Pushdown {
            spark,
            tables: Cell::new(0),
            compared,
            population: plan.policy.population_table.clone(),
        }))
    }

    /// How messages name the server.
    pub fn shown(&self) -> &str {
        self.spark.shown()
    }

    /// A new table name of the session.
    fn new_table(&self) -> String {
        let n = self.tables.get();
        self.tables.set(n + 1);
        format!("linkrisk_view_{n}")
    }

    /// One number an aggregate statement returns.
    fn numbers(&self, sql: &str, step: &str, names: &[&str]) -> Result<Vec<u64>> {
        let df = self.spark.run(sql, step)?;
        names
            .iter()
            .map(|n| {
                let value = df
                    .column(n)
                    .ok()
                    .and_then(|c| c.i64().ok()?.get(0))
                    .unwrap_or(0);
                Ok(value.max(0) as u64)
            })
            .collect()
    }

    /// The measured columns of a view run in Spark, in its records' order, checked against
    /// the memory budget first (its QIs as dictionary codes, as files read them), with the
    /// generalisations linkrisk applies; a frame without columns when none is measured.
    /// `what` names the view in messages and timings.
    fn fetch_view(&self, view: &View, what: &str) -> Result<DataFrame> {
        let rows = view.df.height();
        let Some(Remote {
            table: Some(table),
            measured,
            applied_here,
            ..
        }) = &view.remote
        else {
            return Ok(view.df.clone());
        };
        if measured.is_empty() {
            return Ok(DataFrame::empty_with_height(rows));
        }
        crate::budget::check(
            (rows as u64).saturating_mul(40 * measured.len() as u64),
            || format!("fetching {} columns of {what}", measured.len()),
        )?;
        let select = measured.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
        let mut coded = view.qis();
        coded.extend(view.entity.clone());
        let mut df = self.spark.run_coded(
            &format!("SELECT {select} FROM {} ORDER BY {ROW}", q(table)),
            &format!("fetching the measured columns of {what}"),
            &coded,
        )?;
        if df.height() != rows {
            crate::bail!(
                "{}: {what} changed while it was read ({} rows, then {})",
                self.shown(),
                rows,
                df.height()
            );
        }
        // Bands and hierarchies are applied here (engines parse numbers differently; a
        // hierarchy is a local file); paths are resolved already.
        for (column, g) in applied_here {
            if df.column(column).is_ok() {
                df = generalize::apply(df, column, g, std::path::Path::new(""))?;
            }
        }
        Ok(df)
    }

    /// Fetches again the measured columns of a view whose frame [`Pushdown::release_frame`]
    /// gave back: a quasi step, a remedy and the remedies' re-run read them.
    pub fn restore(&self, view: &mut View) -> Result<()> {
        let released = view.df.width() == 0
            && view
                .remote
                .as_ref()
                .is_some_and(|r| r.table.is_some() && !r.measured.is_empty());
        if released && let Some(remote) = &view.remote {
            let what = if remote.fetched {
                format!("view '{}' again", view.name)
            } else {
                remote.shown.clone()
            };
            view.df = self.fetch_view(view, &what)?;
        }
        if let Some(remote) = &mut view.remote {
            remote.fetched = true;
        }
        Ok(())
    }

    /// Gives back the frame of a measured view (its row count kept): a view run in Spark can
    /// be fetched again, so the run holds one view's columns at a time rather than all.
    pub fn release_frame(view: &mut View) {
        if view.remote.as_ref().is_some_and(|r| r.table.is_some()) {
            view.df = DataFrame::empty_with_height(view.df.height());
        }
    }

    /// The columns of a view measured here.
    fn measured(
        &self,
        view_roles: &[(String, Role)],
        entity: Option<&str>,
        columns: &[String],
        whole: bool,
    ) -> Vec<String> {
        columns
            .iter()
            .filter(|c| {
                whole
                    || Some(c.as_str()) == entity
                    || self.compared.contains(c)
                    || view_roles
                        .iter()
                        .any(|(n, r)| n == *c && matches!(r, Role::Qi | Role::Sensitive))
            })
            .cloned()
            .collect()
    }

    /// Loads one source of the plan into the session and fetches its measured columns.
    pub fn load(&self, plan: &Plan, spec: &SourceSpec) -> Result<View> {
        use crate::error::Context as _;
        let mut view = self.load_released(plan, spec)?;
        self.restore(&mut view)
            .with_context(|| format!("source '{}'", spec.name))?;
        Ok(view)
    }

    /// Loads one source of the plan into the session without fetching its measured columns
    /// yet ([`Pushdown::restore`] does, when the view is measured).
    pub fn load_released(&self, plan: &Plan, spec: &SourceSpec) -> Result<View> {
        use crate::error::Context as _;
        self.load_inner(plan, spec)
            .with_context(|| format!("source '{}'", spec.name))
    }

    fn load_inner(&self, plan: &Plan, spec: &SourceSpec) -> Result<View> {
        let d = Dialect::Spark;
        let url = spec.url.as_deref().unwrap_or_default();
        let source = Source::open(
            url,
            spec.table.as_deref(),
            spec.query.as_deref(),
            Default::default(),
            false,
        )?;
        let shown = source.name().to_string();
        let mut columns: Vec<String> = spec.columns.keys().cloned().collect();
        for extra in [&spec.entity, &spec.attach.as_ref().map(|a| a.on.clone())]
            .into_iter()
            .flatten()
        {
            if !columns.contains(extra) {
                columns.push(extra.clone());
            }
        }
        crate::io::require_columns(&shown, &source.column_names()?, &columns)?;
        // Source::open above refused anything but one of table and query.
        let Some(records) = Records::of(spec.table.as_deref(), spec.query.as_deref()) else {
            crate::bail!("{shown}: give table or query");
        };
        let select = columns
            .iter()
            .map(|c| {
                let rule = spec.generalize.get(c).and_then(generalize::text_rule);
                format!("{} AS {}", fetched_value(d, c, rule), q(c))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut sql = format!(
            "SELECT {select}, MONOTONICALLY_INCREASING_ID() AS {ROW} FROM {}",
            records.from_item(d)
        );
        let mut all = columns.clone();
        if let Some(attach) = &spec.attach {
            let attached = Source::open(
                attach.url.as_deref().unwrap_or_default(),
                attach.table.as_deref(),
                attach.query.as_deref(),
                Default::default(),
                false,
            )?;
            let ashown = attached.name().to_string();
            let names = attached.column_names()?;
            crate::io::require_columns(&ashown, &names, std::slice::from_ref(&attach.on))?;
            if let Some(shared) = names
                .iter()
                .find(|n| *n != &attach.on && columns.contains(n))
            {
                crate::bail!(
                    "source {}: attach {} has column {}, which the source already has",
                    crate::escape::name(&spec.name),
                    crate::escape::path(std::path::Path::new(&ashown)),
                    crate::escape::name(shared)
                );
            }
            let Some(arecords) = Records::of(attach.table.as_deref(), attach.query.as_deref())
            else {
                crate::bail!("{ashown}: give table or query");
            };
            let aselect = names
                .iter()
                .map(|c| format!("{} AS {}", fetched_value(d, c, None), q(c)))
                .collect::<Vec<_>>()
                .join(", ");
            let attached_sql = format!("SELECT {aselect} FROM {}", arecords.from_item(d));
            let key = q(&attach.on);
            // A key listed twice would join each record to both rows.
            let repeated = self.numbers(
                &format!(
                    "SELECT CAST(COUNT({key}) - COUNT(DISTINCT {key}) AS BIGINT) AS n FROM ({attached_sql}) AS a"
                ),
                "checking the attached keys",
                &["n"],
            )?[0];
            if repeated > 0 {
                crate::bail!(
                    "source {}: attach {} repeats a key of column {}",
                    crate::escape::name(&spec.name),
                    crate::escape::path(std::path::Path::new(&ashown)),
                    crate::escape::name(&attach.on)
                );
            }
            let extra: Vec<&String> = names.iter().filter(|n| *n != &attach.on).collect();
            let extra_select: String = extra.iter().map(|c| format!(", a.{}", q(c))).collect();
            sql = format!(
                "SELECT s.*{extra_select} FROM ({sql}) AS s LEFT JOIN ({attached_sql}) AS a ON s.{key} = a.{key}"
            );
            all.extend(extra.into_iter().cloned());
        }
        if all.iter().any(|c| c == ROW) {
            crate::bail!(
                "column {ROW} is linkrisk's row number in a plan run in Spark; rename it in the table or query"
            );
        }
        let table = self.new_table();
        self.spark.command(
            &format!("CACHE TABLE {} AS {sql}", q(&table)),
            &format!("loading {}", spec.name),
        )?;
        let rows = self.numbers(
            &format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {}", q(&table)),
            &format!("counting the records of {}", spec.name),
            &["n"],
        )?[0] as usize;
        if rows == 0 {
            crate::bail!("{shown} has no data rows");
        }
        let mut view = super::load_shape(plan, spec);
        let whole = self.population.as_deref() == Some(spec.name.as_str());
        let measured = self.measured(&view.roles, spec.entity.as_deref(), &all, whole);
        view.remote = Some(Remote {
            table: Some(table),
            shown: shown.clone(),
            fetched: false,
            columns: all,
            measured,
            applied_here: spec
                .generalize
                .iter()
                .filter(|(_, g)| generalize::text_rule(g).is_none())
                .map(|(c, g)| (c.clone(), super::resolve_generalization(plan, g)))
                .collect(),
        });
        view.df = DataFrame::empty_with_height(rows);
        Ok(view)
    }

    /// The most common length among the first 500 values of a column (ties: the longer), as
    /// [`crate::audit::keys::typical_len`] counts it.
    fn typical_len(&self, table: &str, column: &str) -> Result<usize> {
        let c = q(column);
        let df = self.spark.run(
            &format!(
                "SELECT CAST(CHAR_LENGTH(v) AS BIGINT) AS len, CAST(COUNT(*) AS BIGINT) AS n FROM \
                 (SELECT {c} AS v FROM {} WHERE {c} IS NOT NULL ORDER BY {ROW} LIMIT 500) AS s GROUP BY 1",
                q(table)
            ),
            "guessing the hash",
        )?;
        let (lens, counts) = (df.column("len")?.i64()?, df.column("n")?.i64()?);
        Ok(lens
            .iter()
            .zip(counts.iter())
            .filter_map(|(l, n)| Some((n?, l?)))
            .max()
            .map_or(0, |(_, len)| len.max(0) as usize))
    }

    /// One identifier of a key, normalized or hashed step: its key expressions over `l` and
    /// `r` (the right's table is `rt`), and the comparison in words.
    fn keyed(&self, step: &JoinSpec, m: MatchSpec, right: &View, rt: &str) -> Result<Keyed> {
        let (lcols, rcols) = m.columns();
        let kind = m.kind.unwrap_or(step.kind);
        let mut keys = Vec::new();
        let mut comparison = Vec::new();
        for (lc, rc) in lcols.iter().zip(&rcols) {
            let (l, r) = (format!("l.{}", q(lc)), format!("r.{}", q(rc)));
            let normalized = |e: &str| match m.normalize {
                Some(Identifier::Phone) => ids::phone(e),
                _ => ids::email(e, m.email_rules),
            };
            let word = match m.normalize {
                Some(Identifier::Phone) => "phone",
                _ => "email",
            };
            match kind {
                JoinKind::Key | JoinKind::Quasi => {
                    comparison.push(format!("{lc} = {rc}"));
                    keys.push((ids::non_blank(&l), ids::non_blank(&r)));
                }
                JoinKind::Normalized => {
                    comparison.push(format!("normalised {word}: {lc} = {rc}"));
                    keys.push((normalized(&l), normalized(&r)));
                }
                JoinKind::Hashed => {
                    let algo = match m.hash {
                        Some(a) => a,
                        None => {
                            let len = self.typical_len(rt, rc)?;
                            HashAlgorithm::ALL
                                .into_iter()
                                .find(|a| a.hex_len() == len)
                                .ok_or_else(|| {
                                    crate::invalid!(
                                        "join '{}': {}.{rc} does not look like md5, sha1 or sha256 hex; set hash = \"...\"",
                                        step.name,
                                        right.name
                                    )
                                })?
                        }
                    };
                    comparison.push(format!("{}(normalised {lc}) = {rc}", algo.name()));
                    keys.push((
                        ids::hashed(&normalized(&l), algo),
                        format!("NULLIF({}, '')", ids::trimmed_lower(&r)),
                    ));
                }
            }
        }
        Ok(Keyed {
            comparison: comparison.join(", "),
            keys,
            spec: m,
        })
    }

    /// A key, normalized, hashed or `match_any` step, run in the session.
    pub fn identifier_join(
        &self,
        step: &JoinSpec,
        left: &View,
        right: &View,
        max_rows: u64,
    ) -> Result<JoinOutcome> {
        let table_of = |view: &View| {
            view.remote
                .as_ref()
                .and_then(|r| r.table.clone())
                .ok_or_else(|| {
                    crate::invalid!(
                        "join {}: {} is a quasi step's output, computed by linkrisk, and this plan runs in Spark; a key, normalized or hashed step there joins sources and the outputs of such steps",
                        crate::escape::name(&step.name),
                        crate::escape::name(&view.name)
                    )
                })
        };
        let (lt, rt) = (table_of(left)?, table_of(right)?);
        let what = |part: &str| format!("join '{}': {part}", step.name);
        // Each identifier: the key expressions of both sides, and its comparison in words.
        let identifiers = step
            .identifiers()
            .into_iter()
            .map(|m| self.keyed(step, m, right, &rt))
            .collect::<Result<Vec<Keyed>>>()?;
        // Each identifier's pairs and colliding keys from its key counts, before any pair is
        // built: a step above max_join_rows is refused as the local engine refuses it.
        let truth = match &step.truth {
            None => None,
            Some(t) => {
                for (view, name) in [(left, &t.left), (right, &t.right)] {
                    if !view.has_column(name) {
                        crate::bail!(
                            "join '{}': {} has no truth column '{name}'",
                            step.name,
                            view.name
                        );
                    }
                }
                Some(t)
            }
        };
        let mut counted = Vec::new();
        for Keyed { spec: m, keys, .. } in &identifiers {
            let side = |table: &str, alias: &str, exprs: Vec<&String>, truth: Option<&String>| {
                let select = exprs
                    .iter()
                    .enumerate()
                    .map(|(i, e)| format!("{e} AS k{i}"))
                    .chain(truth.map(|t| format!("{alias}.{} AS t", q(t))))
                    .collect::<Vec<_>>()
                    .join(", ");
                let present = (0..exprs.len())
                    .map(|i| format!("k{i} IS NOT NULL"))
                    .chain(truth.map(|_| "t IS NOT NULL".to_string()))
                    .collect::<Vec<_>>()
                    .join(" AND ");
                let group = (0..exprs.len())
                    .map(|i| format!("k{i}"))
                    .chain(truth.map(|_| "t".to_string()))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "(SELECT {group}, COUNT(*) AS n FROM (SELECT {select} FROM {} AS {alias}) AS s WHERE {present} GROUP BY {group})",
                    q(table)
                )
            };
            let on = |truth: bool| {
                (0..keys.len())
                    .map(|i| format!("x.k{i} = y.k{i}"))
                    .chain(truth.then(|| "x.t = y.t".to_string()))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            };
            let (ls, rs): (Vec<&String>, Vec<&String>) = keys.iter().map(|(l, r)| (l, r)).unzip();
            let figures = self.numbers(
                &format!(
                    "SELECT CAST(COALESCE(SUM(x.n * y.n), 0) AS BIGINT) AS links, \
                     CAST(COALESCE(SUM(x.n), 0) AS BIGINT) AS linked_left, \
                     CAST(COALESCE(SUM(y.n), 0) AS BIGINT) AS linked_right, \
                     CAST(COUNT_IF(x.n > 1 OR y.n > 1) AS BIGINT) AS colliding \
                     FROM {} AS x JOIN {} AS y ON {}",
                    side(&lt, "l", ls.clone(), None),
                    side(&rt, "r", rs.clone(), None),
                    on(false)
                ),
                &what("counting the pairs of each key"),
                &["links", "linked_left", "linked_right", "colliding"],
            )?;
            let correct = match truth {
                None => None,
                Some(t) => Some(
                    self.numbers(
                        &format!(
                            "SELECT CAST(COALESCE(SUM(x.n * y.n), 0) AS BIGINT) AS correct \
                             FROM {} AS x JOIN {} AS y ON {}",
                            side(&lt, "l", ls, Some(&t.left)),
                            side(&rt, "r", rs, Some(&t.right)),
                            on(true)
                        ),
                        &what("counting the correct links"),
                        &["correct"],
                    )?[0],
                ),
            };
            counted.push((m, figures, correct));
        }
        let estimated = counted
            .iter()
            .map(|(_, f, _)| f[0])
            .fold(0u64, u64::saturating_add);
        if estimated > max_rows {
            crate::bail!(
                "join '{}' would produce {} rows, above max_join_rows = {}; raise it in [policy] if you mean it",
                step.name,
                crate::format::thousands(estimated as usize),
                crate::format::thousands(max_rows as usize)
            );
        }

        // The linked pairs: each identifier's, without those an earlier one already linked.
        let renamed = right_names(left, right);
        let new_name = |old: &str| new_name(&renamed, old);
        let select = left
            .column_names()
            .iter()
            .map(|c| format!("l.{} AS {}", q(c), q(c)))
            .chain(
                right
                    .column_names()
                    .iter()
                    .map(|c| format!("r.{} AS {}", q(c), q(&new_name(c)))),
            )
            .chain(std::iter::once(format!(
                "NAMED_STRUCT('l', l.{ROW}, 'r', r.{ROW}) AS {ROW}"
            )))
            .collect::<Vec<_>>()
            .join(", ");
        let parts: Vec<String> = identifiers
            .iter()
            .enumerate()
            .map(|(i, keyed)| {
                let earlier: Vec<String> = identifiers[..i]
                    .iter()
                    .map(|k| format!("({})", k.condition()))
                    .collect();
                let unseen = if earlier.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE NOT COALESCE({}, FALSE)", earlier.join(" OR "))
                };
                format!(
                    "SELECT {select} FROM {} AS l JOIN {} AS r ON {}{unseen}",
                    q(&lt),
                    q(&rt),
                    keyed.condition()
                )
            })
            .collect();
        let table = self.new_table();
        self.spark.command(
            &format!("CACHE TABLE {} AS {}", q(&table), parts.join(" UNION ALL ")),
            &what("linking the records"),
        )?;

        // The step's figures from its pairs.
        let entity_left = left.entity.clone();
        let entity_right = right.entity.as_deref().map(new_name);
        let people_of = |entity: &Option<String>, side: &str| match entity {
            Some(e) => format!(
                "CAST(COUNT(DISTINCT {e}) + COUNT(DISTINCT CASE WHEN {e} IS NULL THEN {ROW}.{side} END) AS BIGINT)",
                e = q(e)
            ),
            None => "CAST(0 AS BIGINT)".to_string(),
        };
        let (truth_left, truth_right) = match truth {
            Some(t) => (q(&t.left), q(&new_name(&t.right))),
            None => ("NULL".into(), "NULL".into()),
        };
        let figures = self.numbers(
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS rows_out, \
                 CAST(COUNT(DISTINCT {ROW}.l) AS BIGINT) AS matched_left, \
                 CAST(COUNT(DISTINCT {ROW}.r) AS BIGINT) AS matched_right, \
                 {} AS people_left, {} AS people_right, \
                 CAST(COUNT_IF({truth_left} = {truth_right}) AS BIGINT) AS correct, \
                 CAST(COUNT(DISTINCT CASE WHEN {truth_left} = {truth_right} THEN {ROW}.r END) AS BIGINT) AS found \
                 FROM {}",
                people_of(&entity_left, "l"),
                people_of(&entity_right, "r"),
                q(&table)
            ),
            &what("counting the linked records"),
            &[
                "rows_out",
                "matched_left",
                "matched_right",
                "people_left",
                "people_right",
                "correct",
                "found",
            ],
        )?;
        let [
            rows_out,
            matched_left,
            matched_right,
            linked_people_left,
            linked_people_right,
            correct,
            found,
        ] = figures[..]
        else {
            unreachable!("seven figures asked")
        };
        let truth = match truth {
            None => None,
            Some(t) => {
                let shared = self.numbers(
                    &format!(
                        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {} AS r LEFT SEMI JOIN {} AS l ON r.{} = l.{}",
                        q(&rt),
                        q(&lt),
                        q(&t.right),
                        q(&t.left)
                    ),
                    &what("counting the people both sides hold"),
                    &["n"],
                )?[0];
                Some(TruthLinks {
                    links: rows_out,
                    correct_links: correct,
                    false_links: rows_out - correct,
                    shared_records: shared as usize,
                    found_records: found as usize,
                    recall: if shared == 0 {
                        0.0
                    } else {
                        found as f64 / shared as f64
                    },
                })
            }
        };
        let people = if left.entity.is_none() && right.entity.is_none() {
            None
        } else {
            let total = |view: &View, table: &str| -> Result<usize> {
                Ok(match &view.entity {
                    None => view.df.height(),
                    Some(e) => self.numbers(
                        &format!(
                            "SELECT CAST(COUNT(DISTINCT {e}) + COUNT_IF({e} IS NULL) AS BIGINT) AS n FROM {}",
                            q(table),
                            e = q(e)
                        ),
                        &what(&format!("counting the people of {}", view.name)),
                        &["n"],
                    )?[0] as usize,
                })
            };
            let (l, r) = (total(left, &lt)?, total(right, &rt)?);
            let linked = |entity: &Option<String>, people: u64, records: u64| {
                (if entity.is_some() { people } else { records }) as usize
            };
            let matched_left = linked(&entity_left, linked_people_left, matched_left);
            let matched_right = linked(&entity_right, linked_people_right, matched_right);
            Some(super::people::step_people_of(
                left,
                right,
                (l, r),
                (matched_left, matched_right),
                None,
            ))
        };
        let identifier_links = counted
            .iter()
            .zip(&identifiers)
            .map(|((m, f, correct), keyed)| {
                let (lc, rc) = m.columns();
                IdentifierLinks {
                    on: lc.iter().zip(&rc).map(|(l, r)| pair_name(l, r)).collect(),
                    comparison: keyed.comparison.clone(),
                    links: f[0],
                    linked_left: f[1] as usize,
                    linked_right: f[2] as usize,
                    colliding_keys: f[3] as usize,
                    correct_links: *correct,
                    false_links: correct.map(|c| f[0] - c),
                }
            })
            .collect();

        // The joined view: its measured columns fetched, in the pairs' order.
        let mut view = joined_shape(step, left, right, &renamed, EntityFrom::LeftElseRight);
        let columns = view.column_names();
        let measured = self.measured(&view.roles, view.entity.as_deref(), &columns, false);
        if let Some(remote) = &mut view.remote {
            remote.table = Some(table);
            remote.shown = format!("join '{}'", step.name);
            remote.fetched = true;
            remote.applied_here.retain(|(c, _)| measured.contains(c));
            remote.measured = measured;
        }
        view.df = DataFrame::empty_with_height(rows_out as usize);
        view.df = self.fetch_view(&view, &format!("join '{}'", step.name))?;
        Ok(JoinOutcome {
            view,
            on: Vec::new(),
            comparison: identifiers.into_iter().map(|k| k.comparison).collect(),
            rows_out: rows_out as usize,
            matched_left: matched_left as usize,
            matched_right: matched_right as usize,
            left_linked: Vec::new(),
            right_linked: Vec::new(),
            right_chances: None,
            linkage: None,
            column_overlap: Vec::new(),
            identifiers: identifier_links,
            truth,
            counted_people: Some(people),
        })
    }

    /// Hashed-identifier detection in the session: each source's columns sampled (the first
    /// 1,000 values present) to tell hex digests and emails or phones apart, then each hex
    /// column's match rate against the other sources' normalised and hashed values as a join
    /// count.
    pub fn hashed(&self, views: &[View]) -> Result<Vec<HashedMatch>> {
        let mut samples: Vec<Vec<Vec<String>>> = Vec::new();
        for view in views {
            samples.push(self.samples(view)?);
        }
        let mut found = Vec::new();
        for (t, target) in views.iter().enumerate() {
            let Some(ttable) = target.remote.as_ref().and_then(|r| r.table.clone()) else {
                continue;
            };
            for (i, name) in target.column_names().iter().enumerate() {
                let Some(algo) = hashed::hex_algorithm(&samples[t][i]) else {
                    continue;
                };
                for (s, source) in views.iter().enumerate() {
                    if source.name == target.name {
                        continue;
                    }
                    let Some(stable) = source.remote.as_ref().and_then(|r| r.table.clone()) else {
                        continue;
                    };
                    for (j, plain_name) in source.column_names().iter().enumerate() {
                        let sample: Vec<String> = samples[s][j].iter().take(500).cloned().collect();
                        let Some(kind) = hashed::plain_kind(plain_name, &sample) else {
                            continue;
                        };
                        let p = format!("p.{}", q(plain_name));
                        let normalised = match kind {
                            hashed::Plain::Email => ids::email(&p, EmailRules::default()),
                            hashed::Plain::Phone => ids::phone(&p),
                        };
                        let digest = ids::hashed(&format!("COALESCE({normalised}, '')"), algo);
                        let c = q(name);
                        let n = self.numbers(
                            &format!(
                                "SELECT CAST(COUNT(*) AS BIGINT) AS total, CAST(COUNT(d.h) AS BIGINT) AS hits \
                                 FROM (SELECT LOWER({c}) AS h FROM {} WHERE {c} IS NOT NULL) AS t \
                                 LEFT JOIN (SELECT DISTINCT {digest} AS h FROM {} AS p WHERE {p} IS NOT NULL) AS d ON t.h = d.h",
                                q(&ttable),
                                q(&stable)
                            ),
                            "looking for hashed identifiers",
                            &["total", "hits"],
                        )?;
                        let rate = n[1] as f64 / n[0].max(1) as f64;
                        if rate > hashed::FINDING_THRESHOLD {
                            found.push(HashedMatch {
                                view: target.name.clone(),
                                column: name.clone(),
                                algorithm: algo.name(),
                                source_view: source.name.clone(),
                                source_column: plain_name.clone(),
                                match_rate: rate,
                            });
                        }
                    }
                }
            }
        }
        Ok(found)
    }

    /// The first [`SAMPLE`] values present of each column of a view's table, in its records'
    /// order, in one statement.
    fn samples(&self, view: &View) -> Result<Vec<Vec<String>>> {
        let columns = view.column_names();
        let Some(table) = view.remote.as_ref().and_then(|r| r.table.clone()) else {
            return Ok(vec![Vec::new(); columns.len()]);
        };
        let parts: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "SELECT * FROM (SELECT CAST({i} AS BIGINT) AS c, {ROW} AS r, {} AS v FROM {} WHERE {} IS NOT NULL ORDER BY {ROW} LIMIT {SAMPLE}) AS s{i}",
                    q(c),
                    q(&table),
                    q(c)
                )
            })
            .collect();
        let df = self.spark.run(
            &format!("{} ORDER BY c, r", parts.join(" UNION ALL ")),
            &format!("sampling the columns of {}", view.name),
        )?;
        let mut out = vec![Vec::new(); columns.len()];
        let (cs, vs) = (df.column("c")?.i64()?, df.column("v")?.str()?);
        for (c, v) in cs.iter().zip(vs.iter()) {
            if let (Some(c), Some(v)) = (c, v) {
                out[c as usize].push(v.to_string());
            }
        }
        Ok(out)
    }
}
