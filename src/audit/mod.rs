//! `linkrisk audit`: load the plan's sources, measure each, run the join steps in order,
//! measure every joined view, detect hashed identifiers, and rank findings.

pub mod apply;
pub mod baseline;
pub mod breaking;
pub mod findings;
pub mod generalize;
pub mod hashed;
pub mod history;
pub mod identifiers;
pub mod join;
pub mod keys;
pub mod link;
pub mod linkage;
pub mod listing;
pub mod patterns;
pub mod people;
pub mod provenance;
pub mod pushdown;
pub mod remedy;
pub mod verdict;
pub mod view;

use std::collections::HashMap;

use crate::bail;
use crate::error::Context as _;
use polars::prelude::*;

use crate::Result;
use crate::io::LoadOptions;
use crate::metrics::MeasureOptions;
use crate::model::{JoinReport, Policy, RecordRisk, Report, Snapshot, ViewReport};
use crate::plan::{Generalization, JoinSpec, Plan, Role, SourceSpec};
use crate::source::Source;
use listing::Listing;
pub use view::{Measuring, View};

/// How a plan's source is read (its delimiter, `strip`, `null_values`), with `dictionary` the
/// columns read dictionary-encoded.
pub(crate) fn load_options_of(spec: &SourceSpec, dictionary: Vec<String>) -> Result<LoadOptions> {
    Ok(LoadOptions {
        delimiter: delimiter_of(spec)?,
        strip: spec.strip,
        null_values: spec.null_values.clone(),
        dictionary,
        ..LoadOptions::default()
    })
}

/// Loads one source of the plan with its generalisations and attached columns.
pub fn load_source(plan: &Plan, spec: &SourceSpec) -> Result<View> {
    let shown = spec.location(plan);
    let opts = load_options_of(
        spec,
        spec.columns
            .iter()
            .filter(|(_, role)| **role == Role::Qi)
            .map(|(c, _)| c.clone())
            .collect(),
    )?;
    let mut columns: Vec<String> = spec.columns.keys().cloned().collect();
    if let Some(entity) = &spec.entity
        && !columns.contains(entity)
    {
        columns.push(entity.clone());
    }
    if let Some(attach) = &spec.attach
        && !columns.contains(&attach.on)
    {
        columns.push(attach.on.clone());
    }
    // A database applies the built-in generalisations it can write exactly, so that only the
    // generalised values travel; the others (bands, hierarchies) are applied here.
    let in_database: Vec<(String, crate::source::sql::TextRule)> = spec
        .generalize
        .iter()
        .filter_map(|(column, g)| Some((column.clone(), generalize::text_rule(g)?)))
        .collect();
    let (mut df, applied) = Source::open(
        &shown,
        spec.table.as_deref(),
        spec.query.as_deref(),
        opts,
        false,
    )?
    .frame_generalized(&columns, &in_database)
    .with_context(|| format!("source '{}'", spec.name))?;
    for (column, g) in &spec.generalize {
        if applied && in_database.iter().any(|(c, _)| c == column) {
            continue;
        }
        df = generalize::apply(df, column, g, &plan.base)
            .with_context(|| format!("source '{}'", spec.name))?;
    }
    if let Some(attach) = &spec.attach {
        let ashown = attach.location(plan);
        let attached = Source::open(
            &ashown,
            attach.table.as_deref(),
            attach.query.as_deref(),
            LoadOptions::default(),
            false,
        )
        .with_context(|| format!("source '{}'", spec.name))?;
        let ashown = attached.name().to_string();
        let names = attached
            .column_names()
            .with_context(|| format!("source '{}'", spec.name))?;
        crate::io::require_columns(&ashown, &names, std::slice::from_ref(&attach.on))?;
        // A column on both sides would come back renamed; which one the plan means is unclear.
        if let Some(shared) = names
            .iter()
            .find(|n| *n != &attach.on && df.column(n.as_str()).is_ok())
        {
            crate::bail!(
                "source {}: attach {} has column {}, which the source already has",
                crate::escape::name(&spec.name),
                crate::escape::path(std::path::Path::new(&ashown)),
                crate::escape::name(shared)
            );
        }
        let extra = attached
            .frame(&names)
            .with_context(|| format!("source '{}'", spec.name))?;
        let extra = extra
            .lazy()
            .select(
                names
                    .iter()
                    .map(|n| col(n.as_str()).cast(DataType::String))
                    .collect::<Vec<_>>(),
            )
            .collect()?;
        // Keys are unique (checked below), so the source keeps its rows and gains the attach
        // file's columns for each: estimate that before joining.
        let per_row = extra.estimated_size() as u64 / extra.height().max(1) as u64;
        crate::budget::check((df.height() as u64).saturating_mul(per_row + 16), || {
            format!(
                "attaching {} to source {}",
                crate::escape::path(std::path::Path::new(&ashown)),
                crate::escape::name(&spec.name)
            )
        })?;
        // A key listed twice would join each record to both rows: duplicated records, and a
        // view that looks safer than it is.
        let repeated = {
            let keys = extra.column(&attach.on)?.str()?;
            let mut seen: hashbrown::HashSet<&str> = hashbrown::HashSet::new();
            keys.iter().position(|k| k.is_some_and(|k| !seen.insert(k)))
        };
        if let Some(row) = repeated {
            let line = row + 2;
            crate::bail!(
                "source {}: attach {} repeats a key of column {} on line {line}",
                crate::escape::name(&spec.name),
                crate::escape::path(std::path::Path::new(&ashown)),
                crate::escape::name(&attach.on)
            );
        }
        df = df
            .lazy()
            .with_column(col(attach.on.as_str()).cast(DataType::String))
            .join(
                extra.lazy(),
                [col(attach.on.as_str())],
                [col(attach.on.as_str())],
                JoinArgs {
                    // Row numbers (--records, keys, --apply-remedy) are the file's: keep the
                    // left's order, which polars does not promise by default.
                    maintain_order: MaintainOrderJoin::Left,
                    ..JoinArgs::new(JoinType::Left)
                },
            )
            .collect()
            .map_err(|e| crate::invalid!("source '{}': cannot attach {ashown}: {e}", spec.name))?;
    }
    let mut view = load_shape(plan, spec);
    view.df = df;
    Ok(view)
}

/// A source's view with an empty frame: its roles, generalisations, hierarchy files and
/// entity.
pub(crate) fn load_shape(plan: &Plan, spec: &SourceSpec) -> View {
    View {
        name: spec.name.clone(),
        df: DataFrame::empty(),
        roles: spec.columns.iter().map(|(c, r)| (c.clone(), *r)).collect(),
        generalized: spec
            .generalize
            .iter()
            .chain(&spec.generalized)
            .map(|(c, g)| (c.clone(), resolve_generalization(plan, g)))
            .collect(),
        hierarchies: hierarchy_files(plan, spec),
        origins: Vec::new(),
        entity: spec.entity.clone(),
        release: spec.release,
        remote: None,
    }
}

/// The hierarchy files of a source's columns: its `hierarchies`, and the files of its
/// `generalize` by hierarchy (from the level applied).
fn hierarchy_files(plan: &Plan, spec: &SourceSpec) -> Vec<view::HierarchyFile> {
    let declared = spec
        .hierarchies
        .iter()
        .map(|(column, written)| (column, written, 0));
    let applied =
        spec.generalize
            .iter()
            .chain(&spec.generalized)
            .filter_map(|(column, g)| match g {
                Generalization::Hierarchy { hierarchy, level } => Some((column, hierarchy, *level)),
                Generalization::Builtin(_) => None,
            });
    declared
        .chain(applied)
        .map(|(column, written, level)| view::HierarchyFile {
            column: column.clone(),
            written: written.clone(),
            path: plan.resolve(written),
            level,
        })
        .collect()
}

/// A generalisation with its hierarchy path resolved against the plan's folder.
pub(crate) fn resolve_generalization(plan: &Plan, g: &Generalization) -> Generalization {
    match g {
        Generalization::Hierarchy { hierarchy, level } => Generalization::Hierarchy {
            hierarchy: plan.resolve(hierarchy),
            level: *level,
        },
        other => other.clone(),
    }
}

/// The unicity of a source that declares `points` (validated with the plan).
fn source_unicity(plan: &Plan, spec: &SourceSpec) -> Result<crate::model::UnicityReport> {
    // The plan was validated, so every level and band parses; the errors are kept anyway.
    let time = spec
        .time
        .iter()
        .map(|(c, v)| Ok((c.clone(), history::TimeLevel::parse(v)?)))
        .collect::<Result<Vec<_>>>()?;
    let band = spec
        .band
        .iter()
        .map(|(c, v)| Ok((c.clone(), history::Band::parse(v)?)))
        .collect::<Result<Vec<_>>>()?;
    history::unicity(&history::UnicityOptions {
        path: spec.location(plan),
        table: spec.table.clone(),
        query: spec.query.clone(),
        entity: spec
            .entity
            .clone()
            .expect("validated: points need an entity"),
        points: spec.points.clone(),
        time,
        band,
        coarsen: Vec::new(),
        max_points: plan.policy.unicity_max_points,
        draws: plan.policy.unicity_draws,
        seed: plan.policy.unicity_seed,
        load: load_options_of(spec, spec.points.clone())?,
    })
}

/// A source's delimiter as a byte (`tab` or one character).
fn delimiter_of(spec: &SourceSpec) -> Result<Option<u8>> {
    Ok(match spec.delimiter.as_deref() {
        None => None,
        Some("tab") | Some("\t") => Some(b'\t'),
        Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
        Some(d) => bail!(
            "source '{}': delimiter '{d}' is not one character",
            spec.name
        ),
    })
}

/// The l of recursive (c, l)-diversity an audit measures (and the policy's `recursive_c`
/// judges): Machanavajjhala et al.'s examples use 2, as `scan --recursive-l` defaults to.
pub const RECURSIVE_L: usize = 2;

fn measure_opts(plan: &Plan) -> MeasureOptions {
    MeasureOptions {
        policy_k: plan.policy.k,
        recursive_l: RECURSIVE_L,
        population: plan.policy.population,
    }
}

/// Runs a whole plan.
pub fn run(
    plan: &Plan,
    progress: &dyn Fn(&str),
    show_values: bool,
    records: bool,
) -> Result<Report> {
    let opts = measure_opts(plan);
    let timer = crate::timing::Timer::start();
    let mut views: HashMap<String, View> = HashMap::new();
    let mut reports: Vec<ViewReport> = Vec::new();
    let mut sources: Vec<View> = Vec::new();
    let mut loaded: Vec<View> = Vec::new();
    // Every source in one Spark server: the plan runs there (`pushdown`).
    let pushdown = pushdown::Pushdown::of(plan)?;
    for spec in &plan.sources {
        progress(&format!("loading {}", spec.name));
        // A source in Spark is fetched when it is measured, one at a time.
        loaded.push(match &pushdown {
            Some(p) => p.load_released(plan, spec)?,
            None => load_source(plan, spec)?,
        });
        timer.lap(&format!("audit: load {}", spec.name));
    }
    let mut population = plan
        .policy
        .population_table
        .as_ref()
        .and_then(|name| loaded.iter().find(|v| &v.name == name))
        .cloned();
    if let (Some(p), Some(view)) = (&pushdown, population.as_mut()) {
        p.restore(view)?;
    }
    let population = population.map(|v| v.df);
    // --records and --show-values read each view's records from the class table its figures
    // came from.
    let listing = Listing {
        records,
        show_values,
    };
    let how = Measuring {
        opts,
        nulls: plan.policy.nulls,
        population: population.as_ref(),
        listing,
    };
    for (spec, mut view) in plan.sources.iter().zip(loaded) {
        if let Some(p) = &pushdown {
            p.restore(&mut view)
                .with_context(|| format!("source '{}'", spec.name))?;
        }
        reports.push(
            view.measure_with(how)
                .with_context(|| format!("source '{}'", spec.name))?,
        );
        if pushdown.is_some() && !records && !show_values {
            pushdown::Pushdown::release_frame(&mut view);
        }
        sources.push(view.clone());
        views.insert(spec.name.clone(), view);
        timer.lap(&format!("audit: measure {}", spec.name));
    }
    for (spec, report) in plan.sources.iter().zip(reports.iter_mut()) {
        if spec.points.is_empty() {
            continue;
        }
        progress(&format!("measuring the unicity of {}", spec.name));
        report.unicity =
            Some(source_unicity(plan, spec).with_context(|| format!("source '{}'", spec.name))?);
        timer.lap(&format!("audit: unicity of {}", spec.name));
    }
    progress("looking for hashed identifiers");
    let hashed = match &pushdown {
        Some(p) => p.hashed(&sources)?,
        None => hashed::detect(&sources)?,
    };
    timer.lap("audit: hashed identifiers");
    let mut joins: Vec<JoinReport> = Vec::new();
    for step in &plan.joins {
        progress(&format!("joining {}", step.name));
        let report = run_step(
            step,
            &mut views,
            &mut reports,
            plan.policy.max_join_rows,
            how,
            pushdown.as_ref(),
        )?;
        joins.push(report);
        timer.lap(&format!("audit: join and measure {}", step.name));
    }
    // Every view's records (or people), for --records.
    let mut risks: Vec<RecordRisk> = reports
        .iter_mut()
        .flat_map(|report| std::mem::take(&mut report.records))
        .collect();
    let policy = policy_of(plan);
    let result = verdict::judge(&policy, &reports, &joins);
    if let Some(p) = &pushdown {
        // The frames the remedies (and their re-run of quasi steps) read, fetched again.
        let quasi_sides: Vec<&String> = plan
            .joins
            .iter()
            .filter(|j| j.kind == crate::plan::JoinKind::Quasi)
            .flat_map(|j| [&j.left, &j.right])
            .collect();
        for report in &reports {
            let remedied = !report.identified
                && result
                    .violations
                    .iter()
                    .any(|v| v.view == report.name && remedy::meets(v.rule));
            if (remedied || quasi_sides.contains(&&report.name))
                && let Some(view) = views.get_mut(&report.name)
            {
                p.restore(view)?;
            }
        }
    }
    progress("searching remedies");
    let findings = findings::rank(
        &reports,
        &joins,
        &hashed,
        &views,
        &result,
        plan.policy.max_suppression,
    )?;
    timer.lap("audit: findings and remedies");
    if records {
        mark_dropped(
            &mut risks,
            &findings,
            &views,
            &policy,
            plan.policy.max_suppression,
        )?;
    }
    let cleared = cleared_by_remedies(
        plan,
        &views,
        &reports,
        &findings,
        &result,
        Measuring {
            listing: Listing::default(),
            ..how
        },
        pushdown.as_ref(),
    )?;
    timer.lap("audit: quasi steps after remedies");
    let assessment = breaking::assess(&joins, &reports, &findings, &result.violations, &cleared);
    let inputs = provenance::plan_inputs(plan, |name| {
        reports.iter().find(|r| r.name == name).map(|r| r.rows)
    })?;
    Ok(Report {
        baseline: None,
        provenance: Some(provenance::provenance(inputs)),
        schema_version: crate::model::SCHEMA_VERSION,
        tool: Default::default(),
        missing_values: missing_values_note(plan.policy.nulls),
        views: reports,
        joins,
        findings,
        policy: result,
        unicity: None,
        records: risks,
        assessment,
    })
}

/// The views whose attached identities their cheapest remedy clears. A key, normalised or
/// hashed step links whatever its target's QIs are; a quasi step links on them, so it is run
/// again against the target as its remedy releases it (the plan with the remedy pasted, its
/// suppressed rows dropped), and judged: when no quasi step (and no other step) still attaches
/// identities beyond the policy, the violation is not among those that remain.
fn cleared_by_remedies(
    plan: &Plan,
    views: &HashMap<String, View>,
    reports: &[ViewReport],
    findings: &[crate::model::Finding],
    result: &crate::model::PolicyResult,
    how: Measuring,
    pushdown: Option<&pushdown::Pushdown>,
) -> Result<Vec<String>> {
    use crate::model::{Figure, FindingCode, Rule};
    let mut cleared = Vec::new();
    let mut targets: Vec<&str> = result
        .violations
        .iter()
        .filter(|v| v.rule == Rule::IdentitiesAttached)
        .map(|v| v.view.as_str())
        .collect();
    targets.dedup();
    for target in targets {
        let steps: Vec<&JoinSpec> = plan.joins.iter().filter(|j| j.right == target).collect();
        if steps.iter().any(|j| j.kind != crate::plan::JoinKind::Quasi) {
            continue;
        }
        let remedy = findings.iter().find(|f| {
            f.code == FindingCode::Remedy && f.subject == target && f.number("rank") == Some(1.0)
        });
        let (Some(remedy), Some(spec), Some(original)) = (
            remedy,
            plan.sources.iter().find(|s| s.name == target),
            views.get(target),
        ) else {
            continue;
        };
        let Some(Figure::Generalization(remedy_steps)) = remedy.figures.get("generalization")
        else {
            continue;
        };
        let mut pasted = spec.clone();
        for (column, step) in remedy_steps {
            pasted.hierarchies.remove(column);
            pasted.generalize.insert(column.clone(), step.clone());
        }
        let mut released = match pushdown {
            Some(p) => p.load(plan, &pasted)?,
            None => load_source(plan, &pasted)?,
        };
        if remedy.number("suppressed_records").is_some_and(|n| n > 0.0) {
            let kept = remedy::kept_rows(
                original,
                &result.policy,
                plan.policy.max_suppression,
                remedy_steps,
            )?;
            if kept.len() != released.df.height() {
                continue;
            }
            released.df = released
                .df
                .filter(&BooleanChunked::from_slice("kept".into(), &kept))?;
        }
        let mut attaches = false;
        for step in steps {
            let Some(left) = views.get(&step.left) else {
                continue;
            };
            let mut scratch: HashMap<String, View> = HashMap::new();
            scratch.insert(step.left.clone(), left.clone());
            scratch.insert(step.right.clone(), released.clone());
            let mut measured = reports.to_vec();
            let join = run_step(
                step,
                &mut scratch,
                &mut measured,
                plan.policy.max_join_rows,
                how,
                pushdown,
            )?;
            let again = verdict::judge(&result.policy, &measured, &[join]);
            attaches |= again
                .violations
                .iter()
                .any(|v| v.view == target && v.rule == Rule::IdentitiesAttached);
        }
        if !attaches {
            cleared.push(target.to_string());
        }
    }
    Ok(cleared)
}

/// Marks, in each view whose cheapest remedy suppresses records, the records (or people) it
/// drops: the `--records` export says which rows `audit --apply-remedy 1` leaves out.
fn mark_dropped(
    risks: &mut [RecordRisk],
    findings: &[crate::model::Finding],
    views: &HashMap<String, View>,
    policy: &crate::model::Policy,
    max_suppression: f64,
) -> Result<()> {
    use crate::model::{Figure, FindingCode};
    for f in findings.iter().filter(|f| {
        f.code == FindingCode::Remedy
            && f.number("rank") == Some(1.0)
            && f.number("suppressed_records").is_some_and(|n| n > 0.0)
    }) {
        let (Some(view), Some(Figure::Generalization(steps))) =
            (views.get(&f.subject), f.figures.get("generalization"))
        else {
            continue;
        };
        let kept = remedy::kept_rows(view, policy, max_suppression, steps)?;
        for risk in risks
            .iter_mut()
            .filter(|r| r.view.as_deref() == Some(f.subject.as_str()))
        {
            risk.dropped_by_remedy = Some(!kept[risk.row - 1]);
        }
    }
    Ok(())
}

/// Runs one join step, measures its output and records it as a view.
pub fn run_step(
    step: &JoinSpec,
    views: &mut HashMap<String, View>,
    reports: &mut Vec<ViewReport>,
    max_rows: u64,
    how: Measuring,
    pushdown: Option<&pushdown::Pushdown>,
) -> Result<JoinReport> {
    if let Some(p) = pushdown
        && step.kind == crate::plan::JoinKind::Quasi
    {
        // A quasi step runs here, on both sides' measured columns.
        for name in [&step.left, &step.right] {
            if let Some(view) = views.get_mut(name) {
                p.restore(view)?;
            }
        }
    }
    let left = views.get(&step.left).expect("validated plan");
    let right = views.get(&step.right).expect("validated plan");
    let mut outcome = join::run_join(step, left, right, max_rows, pushdown)?;
    outcome.view = view::project(outcome.view, &step.drop, &step.keep)
        .with_context(|| format!("join '{}'", step.name))?;
    let after = outcome
        .view
        .measure_with(how)
        .with_context(|| format!("join '{}'", step.name))?;
    let find = |name: &str| {
        reports
            .iter()
            .find(|r| r.name == name)
            .expect("measured before")
    };
    let (before_left, before_right) = (
        Snapshot::of(find(&step.left)),
        Snapshot::of(find(&step.right)),
    );
    let fraction = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let people = match outcome.counted_people.take() {
        Some(counted) => counted,
        None => people::step_people(
            left,
            right,
            &outcome.left_linked,
            &outcome.right_linked,
            outcome.right_chances.as_deref(),
        )?,
    };
    let report = JoinReport {
        name: step.name.clone(),
        kind: step.kind,
        left: step.left.clone(),
        right: step.right.clone(),
        on: outcome.on,
        comparison: outcome.comparison,
        rows_left: left.df.height(),
        rows_right: right.df.height(),
        rows_out: outcome.rows_out,
        matched_left: outcome.matched_left,
        matched_left_fraction: fraction(outcome.matched_left, left.df.height()),
        matched_right: outcome.matched_right,
        matched_right_fraction: fraction(outcome.matched_right, right.df.height()),
        before_left,
        before_right,
        after: Snapshot::of(&after),
        linkage: outcome.linkage,
        column_overlap: outcome.column_overlap,
        identifiers: outcome.identifiers,
        truth: outcome.truth,
        people,
    };
    reports.push(after);
    if pushdown.is_some() && !how.listing.records && !how.listing.show_values {
        for name in [&step.left, &step.right] {
            if let Some(view) = views.get_mut(name) {
                pushdown::Pushdown::release_frame(view);
            }
        }
        pushdown::Pushdown::release_frame(&mut outcome.view);
    }
    views.insert(step.name.clone(), outcome.view);
    Ok(report)
}

/// Marks the roles of columns for a quick view outside a plan (`link`).
pub fn quick_view(name: &str, df: DataFrame, qis: &[String]) -> View {
    View::new(
        name,
        df,
        qis.iter().map(|q| (q.clone(), Role::Qi)).collect(),
    )
}

/// What every report says about missing values, for a null mode.
pub fn missing_values_note(nulls: crate::engine::NullMode) -> &'static str {
    match nulls {
        crate::engine::NullMode::Value => crate::model::MISSING_VALUES_NOTE,
        crate::engine::NullMode::Wildcard => crate::model::WILDCARD_NOTE,
    }
}

/// The plan's policy: `[policy]` and every source's and step's own thresholds.
pub fn policy_of(plan: &Plan) -> Policy {
    let overrides = plan
        .sources
        .iter()
        .filter_map(|s| s.policy.clone().map(|t| (s.name.clone(), t)))
        .chain(
            plan.joins
                .iter()
                .filter_map(|j| j.policy.clone().map(|t| (j.name.clone(), t))),
        )
        .collect();
    Policy {
        k: plan.policy.k,
        l: plan.policy.l,
        max_unique_fraction: plan.policy.max_unique_fraction,
        more: crate::plan::Thresholds {
            k: None,
            l: None,
            max_unique_fraction: None,
            ..plan.policy.thresholds()
        },
        overrides,
    }
}
