//! A view: a frame with the role of each of its columns.

use polars::prelude::*;

use super::listing::{Listing, frame_records, small_classes};
use crate::Result;
use crate::metrics::attribution::{AttributionOptions, attribute};
use crate::metrics::{MeasureOptions, measure};
use crate::model::ViewReport;
use crate::plan::{Generalization, Role};

/// How an audit view's attribution searches: subsets of up to four QIs, the five riskiest
/// records.
fn view_attribution(qis: &[String]) -> AttributionOptions {
    debug_assert!(attributable(qis));
    AttributionOptions {
        max_msu: Some(qis.len().min(4)),
        dis_fraction: 0.01,
        top_records: 5,
    }
}

/// Whether a view's attribution is searched: it needs a QI, and the lattice walks at most 30.
/// A view of more QIs is measured in full without it (docs/decisions.md).
fn attributable(qis: &[String]) -> bool {
    !qis.is_empty() && qis.len() <= crate::metrics::attribution::lattice::MAX_QIS
}

/// A hierarchy file of one column, for the remedy search: a plan's `hierarchies` entry
/// (climbed from level 0) or a `generalize` by hierarchy (climbed from the level applied).
#[derive(Debug, Clone)]
pub struct HierarchyFile {
    /// The view's column.
    pub column: String,
    /// The path as the plan spells it, for a remedy to be pasted back into the plan.
    pub written: std::path::PathBuf,
    /// The path resolved against the plan's folder.
    pub path: std::path::PathBuf,
    /// The level the column's values are at.
    pub level: usize,
}

/// How a run measures its views: the metrics' options, how missing QI values match, the
/// population table (journalist risk) and what the run lists per record.
#[derive(Debug, Clone, Copy)]
pub struct Measuring<'a> {
    pub opts: MeasureOptions,
    pub nulls: crate::engine::NullMode,
    pub population: Option<&'a DataFrame>,
    pub listing: Listing,
}

#[derive(Debug, Clone)]
pub struct View {
    pub name: String,
    pub df: DataFrame,
    /// Columns with a role, in order. Columns of the frame not listed here are helpers
    /// (truth maps, row indexes) and are never measured.
    pub roles: Vec<(String, Role)>,
    /// Generalisations the data holder applied to columns of this view (a plan's
    /// `generalize`, hierarchy paths resolved): a join brings the other side's compared
    /// column to the same generalisation.
    pub generalized: Vec<(String, Generalization)>,
    /// Hierarchy files the remedy search may climb, per QI column.
    pub hierarchies: Vec<HierarchyFile>,
    /// Where the columns of a joined view come from: `(column, source, source column)`. A
    /// column not listed is the view's own (a source's columns are all its own).
    pub origins: Vec<(String, String, String)>,
    /// The column that names the person, when declared: the view's figures count entities.
    pub entity: Option<String>,
    /// Declared `release = true`: judged by the policy even though it holds identifiers.
    pub release: bool,
    /// A view of a plan run in Spark ([`super::pushdown`]): every column it has, of which
    /// `df` holds only those measured here.
    pub remote: Option<Remote>,
}

/// Where a view of a plan run in Spark keeps its records.
#[derive(Debug, Clone)]
pub struct Remote {
    /// The session's cached table of the view's records, every column and `__lr_row`; `None`
    /// for a view computed here (a quasi step's output).
    pub table: Option<String>,
    /// How a fetch of its columns names it in messages and timings.
    pub shown: String,
    /// Whether its columns were fetched before (a later fetch is "again").
    pub fetched: bool,
    /// Every column of the view, in order.
    pub columns: Vec<String>,
    /// The columns fetched into `df`: those measured here.
    pub measured: Vec<String>,
    /// Generalisations linkrisk applies to fetched columns (bands, hierarchies), hierarchy
    /// paths resolved: the table holds those columns' values before them.
    pub applied_here: Vec<(String, Generalization)>,
}

impl View {
    /// A view of a frame without generalisations.
    pub fn new(name: &str, df: DataFrame, roles: Vec<(String, Role)>) -> View {
        View {
            name: name.to_string(),
            df,
            roles,
            generalized: Vec::new(),
            hierarchies: Vec::new(),
            origins: Vec::new(),
            entity: None,
            release: false,
            remote: None,
        }
    }

    /// Every column of the view, in order (of a view run in Spark, also those not fetched).
    pub fn column_names(&self) -> Vec<String> {
        match &self.remote {
            Some(remote) => remote.columns.clone(),
            None => self
                .df
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect(),
        }
    }

    /// Whether the view has the column (of a view run in Spark, also one not fetched).
    pub fn has_column(&self, name: &str) -> bool {
        match &self.remote {
            Some(remote) => remote.columns.iter().any(|c| c == name),
            None => self.df.column(name).is_ok(),
        }
    }

    /// Identified by design: the view holds direct identifiers and is not declared a release.
    /// The policy measures it but does not judge it.
    pub fn identified_by_design(&self) -> bool {
        !self.release && self.roles.iter().any(|(_, role)| *role == Role::Id)
    }

    /// The source and the source's column a column of this view holds: a joined view's
    /// columns come from the sources its steps read, renamed where names clashed.
    pub fn origin(&self, column: &str) -> (String, String) {
        self.origins
            .iter()
            .find(|(c, _, _)| c == column)
            .map_or_else(
                || (self.name.clone(), column.to_string()),
                |(_, source, original)| (source.clone(), original.clone()),
            )
    }

    /// The generalisation applied to a column, if any.
    pub fn generalization(&self, column: &str) -> Option<&Generalization> {
        self.generalized
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, g)| g)
    }

    pub fn with_role(&self, role: Role) -> Vec<String> {
        self.roles
            .iter()
            .filter(|(_, r)| *r == role)
            .map(|(c, _)| c.clone())
            .collect()
    }

    pub fn qis(&self) -> Vec<String> {
        self.with_role(Role::Qi)
    }

    pub fn sensitive(&self) -> Vec<String> {
        self.with_role(Role::Sensitive)
    }

    /// Whether the view holds a direct identifier.
    pub fn identified(&self) -> bool {
        self.roles.iter().any(|(_, r)| *r == Role::Id)
    }

    /// Measures the view on its QIs and sensitive attributes.
    pub fn measure(&self, opts: MeasureOptions) -> Result<ViewReport> {
        self.measure_with(Measuring {
            opts,
            nulls: crate::engine::NullMode::Value,
            population: None,
            listing: Listing::default(),
        })
    }

    /// Measures the view with a choice of how missing QI values match; with a population
    /// table, journalist risk is added when the table holds every QI.
    pub fn measure_with(&self, how: Measuring) -> Result<ViewReport> {
        let (opts, listing) = (how.opts, how.listing);
        let (mut report, table) = self.measure_table(how)?;
        if listing.show_values {
            report.small_classes = Some(small_classes(
                &self.df,
                &report.quasi_identifiers,
                &table,
                opts.policy_k,
                self.entity.is_some(),
            )?);
        }
        if listing.records && !report.quasi_identifiers.is_empty() {
            report.records = frame_records(
                Some(&self.name),
                &table,
                &self.df,
                self.entity.as_deref(),
                listing.show_values,
            )?;
        }
        Ok(report)
    }

    /// Measures the view, returning its class table too (keeping each record's class when
    /// `keep` asks for it).
    fn measure_table(&self, how: Measuring) -> Result<(ViewReport, crate::engine::ClassTable)> {
        let (opts, nulls, population) = (how.opts, how.nulls, how.population);
        let keep = how.listing.membership();
        let (qis, sensitive) = (self.qis(), self.sensitive());
        if nulls == crate::engine::NullMode::Wildcard
            && qis.len() > crate::engine::wildcard::MAX_QIS
        {
            crate::bail!(
                "view {}: nulls = \"wildcard\" supports at most {} quasi-identifiers, got {}",
                crate::escape::name(&self.name),
                crate::engine::wildcard::MAX_QIS,
                qis.len()
            );
        }
        if let Some(entity) = &self.entity {
            // Journalist risk per person needs the population's people too.
            let population = population
                .filter(|p| qis.iter().all(|q| p.column(q).is_ok()) && p.column(entity).is_ok());
            return self.measure_entities(
                entity,
                &qis,
                &sensitive,
                Measuring { population, ..how },
            );
        }
        if let Some(n) = opts.population
            && n < self.df.height() as f64
        {
            crate::bail!(
                "policy.population ({n}) is smaller than view '{}' ({} rows)",
                self.name,
                self.df.height()
            );
        }
        let (qi_cols, sens_cols) = crate::engine::encode_view(&self.df, &qis, &sensitive)?;
        let mut table = crate::engine::ClassTable::build(
            qi_cols.clone(),
            &sens_cols,
            self.df.height(),
            nulls,
            keep,
        );
        if let Some(p) = population
            && qis.iter().all(|q| p.column(q).is_ok())
        {
            crate::engine::attach_population(&mut table, &self.df, &qis, p)?;
        }
        // Which columns make people unique: the QI lattice up to four columns.
        let attribution = if !attributable(&qis) {
            None
        } else {
            Some(attribute(
                &qi_cols,
                self.df.height(),
                view_attribution(&qis),
            )?)
        };
        let report = ViewReport {
            name: self.name.clone(),
            rows: self.df.height(),
            entity: None,
            identified: self.identified_by_design(),
            entities: table.rows,
            quasi_identifiers: qis,
            sensitive,
            metrics: measure(&table, opts),
            attribution,
            small_classes: None,
            unicity: None,
            records: Vec::new(),
        };
        Ok((report, table))
    }

    /// Measures the view per entity: classes group people by the multiset of their rows' QI
    /// tuples, and so does the attribution. With a population table that holds the QIs and
    /// the entity column, journalist risk counts the population's people the same way.
    fn measure_entities(
        &self,
        entity: &str,
        qis: &[String],
        sensitive: &[String],
        how: Measuring,
    ) -> Result<(ViewReport, crate::engine::ClassTable)> {
        let (opts, nulls, population) = (how.opts, how.nulls, how.population);
        let keep = how.listing.membership();
        if nulls == crate::engine::NullMode::Wildcard {
            crate::bail!(
                "view '{}': nulls = \"wildcard\" cannot be combined with an entity (not supported yet)",
                self.name
            );
        }
        let mut names: Vec<String> = qis.to_vec();
        names.push(entity.to_string());
        let (mut qi_cols, sens_cols) = crate::engine::encode_view(&self.df, &names, sensitive)?;
        let entity_col = crate::engine::take_column(&mut qi_cols, entity);
        // With one row per person the people's figures are the rows' (tests/entity.rs checks
        // both ways agree), and the row lattice is much faster than regrouping people.
        let rows = self.df.height();
        let one_row_each = crate::engine::entity::EntityNumbers::of(&entity_col).len() == rows;
        // Which columns make people unique, over people: the lattice up to four columns.
        let attribution = if !attributable(qis) {
            None
        } else if one_row_each {
            Some(attribute(&qi_cols, rows, view_attribution(qis))?)
        } else {
            Some(crate::metrics::attribution::attribute_entities(
                &qi_cols,
                &entity_col,
                rows,
                view_attribution(qis),
            )?)
        };
        let table = if let Some(population) = population {
            drop(qi_cols);
            crate::engine::entity_table_with_population(
                &self.df, qis, sensitive, entity, population, keep,
            )?
        } else if one_row_each {
            // One row per person: the table of records is the table of people, person `i`
            // being row `i`.
            crate::engine::ClassTable::build(qi_cols, &sens_cols, rows, nulls, keep)
        } else {
            crate::engine::ClassTable::build_entities(qi_cols, &sens_cols, &entity_col, rows, keep)
        };
        if let Some(n) = opts.population
            && n < table.rows as f64
        {
            crate::bail!(
                "policy.population ({n}) is smaller than view '{}' ({} people)",
                self.name,
                table.rows
            );
        }
        let report = ViewReport {
            name: self.name.clone(),
            rows: self.df.height(),
            entity: Some(entity.to_string()),
            identified: self.identified_by_design(),
            entities: table.rows,
            quasi_identifiers: qis.to_vec(),
            sensitive: sensitive.to_vec(),
            metrics: measure(&table, opts),
            attribution,
            small_classes: None,
            unicity: None,
            records: Vec::new(),
        };
        Ok((report, table))
    }
}

/// A join step's output without the columns its `drop` lists, or with only the role columns
/// its `keep` lists; a column it names that the output does not have, or the output's entity,
/// is an error naming it.
pub fn project(mut view: View, drop: &[String], keep: &[String]) -> Result<View> {
    if drop.is_empty() && keep.is_empty() {
        return Ok(view);
    }
    for name in drop.iter().chain(keep) {
        if !view.has_column(name) {
            crate::bail!(
                "{}",
                crate::escape::missing_column(
                    &view.name,
                    name,
                    view.roles.iter().map(|(c, _)| c.as_str())
                )
            );
        }
    }
    let gone: Vec<String> = if drop.is_empty() {
        view.roles
            .iter()
            .map(|(c, _)| c.clone())
            .filter(|c| !keep.contains(c))
            .collect()
    } else {
        drop.to_vec()
    };
    if let Some(entity) = &view.entity
        && gone.contains(entity)
    {
        crate::bail!(
            "the output names its people by {}, which cannot be left out",
            crate::escape::name(entity)
        );
    }
    view.df = view.df.drop_many(gone.iter().map(String::as_str));
    if let Some(remote) = &mut view.remote {
        remote.columns.retain(|c| !gone.contains(c));
    }
    view.roles.retain(|(c, _)| !gone.contains(c));
    view.generalized.retain(|(c, _)| !gone.contains(c));
    // The entity column stays, to count people; once every other identifier is left out it
    // names nobody by itself: a pseudonym, a key back to its source.
    if let Some(entity) = &view.entity
        && !view
            .roles
            .iter()
            .any(|(c, r)| *r == Role::Id && c != entity)
    {
        for (c, r) in &mut view.roles {
            if c == entity && *r == Role::Id {
                *r = Role::Pseudonym;
            }
        }
    }
    Ok(view)
}
