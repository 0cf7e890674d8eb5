//! The policy's verdict: every rule each judged view and step breaks.

use crate::format::{percent, thousands};
use crate::model::{Check, JoinReport, Policy, PolicyResult, Rule, ViewReport, Violation};
use crate::plan::{DEFAULT_UNICITY_P, Thresholds};

/// Checks every view, and every step that attaches identities to a view meant to be
/// anonymous, against the policy.
pub fn judge(policy: &Policy, views: &[ViewReport], joins: &[JoinReport]) -> PolicyResult {
    let mut violations = Vec::new();
    let identified = |name: &str| views.iter().any(|v| v.name == name && v.identified);
    let mut judged = 0;
    let mut checks = Vec::new();
    for join in joins {
        // A step that links records of a view meant to be anonymous to an identified
        // view attaches identities to them: the fraction it identifies is the violation.
        // The step's output is what holds the identities (a step may `drop` them).
        let (left, right) = (&join.before_left.view, &join.before_right.view);
        if identified(right) || !identified(left) || !identified(&join.name) {
            continue;
        }
        judged += 1;
        let check = Check {
            subject: right.clone(),
            rule: Rule::IdentitiesAttached,
        };
        if !checks.contains(&check) {
            checks.push(check);
        }
        // Where the right-hand view declares people, the share is of its people.
        let side = super::people::right_side(join);
        let (fraction, unit) = (side.reidentified_fraction, side.unit);
        let how = if join.linkage.is_some() {
            "is expected to identify"
        } else {
            "identifies"
        };
        let limit = thresholds_for(policy, &[right, &join.name])
            .max_reidentified_fraction
            .unwrap_or(0.0);
        if fraction > limit {
            violations.push(Violation {
                view: right.clone(),
                rule: Rule::IdentitiesAttached,
                limit,
                actual: fraction,
                message: format!(
                    "step '{}' {how} {} of {} {unit} by linking them to {left}{}",
                    join.name,
                    percent(fraction),
                    crate::audit::findings::possessive(right),
                    if limit > 0.0 {
                        format!(", above the policy's {}", percent(limit))
                    } else {
                        String::new()
                    }
                ),
            });
        }
    }
    for view in views.iter().filter(|v| !v.identified) {
        judged += 1;
        // An empty view (a join that linked nobody) singles out nobody: it meets every
        // threshold.
        if view.is_empty() {
            continue;
        }
        let thresholds = thresholds_for(policy, &[&view.name]);
        checks.extend(rules_of(&thresholds, view).into_iter().map(|rule| Check {
            subject: view.name.clone(),
            rule,
        }));
        judge_view(view, &thresholds, &mut violations);
    }
    PolicyResult {
        passed: violations.is_empty(),
        judged,
        policy: policy.clone(),
        violations,
        checks,
    }
}

/// The thresholds a subject is judged by: the plan's, replaced by the `policy` of each of
/// `names` that has one (later names win: a step's over its right-hand source's).
pub fn thresholds_for(policy: &Policy, names: &[&str]) -> Thresholds {
    let plan = Thresholds {
        k: Some(policy.k),
        l: policy.l,
        max_unique_fraction: policy.max_unique_fraction,
        ..policy.more.clone()
    };
    names
        .iter()
        .fold(plan, |t, name| match policy.overrides.get(*name) {
            Some(over) => t.overridden_by(over),
            None => t,
        })
}

/// Every rule of `t` one view breaks.
fn judge_view(view: &ViewReport, t: &Thresholds, violations: &mut Vec<Violation>) {
    let m = &view.metrics;
    let name = &view.name;
    let mut broken = |rule: Rule, limit: f64, actual: f64, message: String| {
        violations.push(Violation {
            view: name.clone(),
            rule,
            limit,
            actual,
            message,
        })
    };
    if let Some(k) = t.k
        && m.k_anonymity.k < k
    {
        broken(
            Rule::K,
            k as f64,
            m.k_anonymity.k as f64,
            format!(
                "{name} is {}-anonymous, below the policy k = {}",
                thousands(m.k_anonymity.k as usize),
                thousands(k as usize)
            ),
        );
    }
    if let Some(max) = t.max_unique_fraction
        && m.k_anonymity.unique_fraction > max
    {
        broken(
            Rule::MaxUniqueFraction,
            max,
            m.k_anonymity.unique_fraction,
            format!(
                "{name} has {} unique records, above the policy's {}",
                percent(m.k_anonymity.unique_fraction),
                percent(max)
            ),
        );
    }
    for (attr, ld) in &m.l_diversity {
        if let Some(l) = t.l
            && ld.distinct < l
        {
            broken(
                Rule::L,
                l as f64,
                ld.distinct as f64,
                format!(
                    "{name}.{attr} is distinct {}-diverse, below the policy l = {l}",
                    ld.distinct
                ),
            );
        }
        if let Some(l) = t.entropy_l
            && ld.entropy < l
        {
            broken(
                Rule::EntropyL,
                l,
                ld.entropy,
                format!(
                    "{name}.{attr} is entropy {:.2}-diverse, below the policy's entropy l = {l}",
                    ld.entropy
                ),
            );
        }
        if let Some(c) = t.recursive_c {
            // No c makes a class with fewer than l values recursive (c, l)-diverse.
            let needed = ld.recursive_c.unwrap_or(f64::INFINITY);
            if needed > c {
                broken(
                    Rule::RecursiveC,
                    c,
                    needed,
                    match ld.recursive_c {
                        Some(needed) => format!(
                            "{name}.{attr} is recursive (c, l)-diverse only for c = {needed:.2}, above the policy's c = {c}"
                        ),
                        None => format!(
                            "{name}.{attr} has a class with fewer than l values: no c makes it recursive (c, l)-diverse (policy c = {c})"
                        ),
                    },
                );
            }
        }
        if let Some(limit) = t.t
            && let Some(&actual) = m.t_closeness.get(attr)
            && actual > limit
        {
            broken(
                Rule::T,
                limit,
                actual,
                format!("{name}.{attr} is {actual:.4}-close, above the policy t = {limit}"),
            );
        }
    }
    if let Some(max) = t.max_prosecutor_avg
        && m.prosecutor.avg > max
    {
        broken(
            Rule::MaxProsecutorAvg,
            max,
            m.prosecutor.avg,
            format!(
                "{name} has an average prosecutor risk of {:.4}, above the policy's {max}",
                m.prosecutor.avg
            ),
        );
    }
    if let Some(max) = t.max_prosecutor_max
        && m.prosecutor.max > max
    {
        broken(
            Rule::MaxProsecutorMax,
            max,
            m.prosecutor.max,
            format!(
                "{name} has a highest prosecutor risk of {:.4}, above the policy's {max}",
                m.prosecutor.max
            ),
        );
    }
    if let Some(max) = t.max_unicity
        && let Some(u) = &view.unicity
    {
        let p = t.unicity_p.unwrap_or(DEFAULT_UNICITY_P);
        if let Some(point) = u.curve.iter().find(|c| c.p == p)
            && let Some(actual) = point.unique_fraction
            && actual > max
        {
            broken(
                Rule::MaxUnicity,
                max,
                actual,
                format!(
                    "{name}: {p} purchases single out {} of people, above the policy's {}",
                    percent(actual),
                    percent(max)
                ),
            );
        }
    }
    if let Some(max) = t.max_population_unique_fraction
        && let Some(estimate) = m.population.as_ref().and_then(|p| p.dankar)
        && estimate.fraction > max
    {
        broken(
            Rule::MaxPopulationUniqueFraction,
            max,
            estimate.fraction,
            format!(
                "{name}: an estimated {} of the population is unique on its QIs ({} model), above the policy's {}",
                percent(estimate.fraction),
                estimate.model.as_str(),
                percent(max)
            ),
        );
    }
}

/// The rules `t` judges on a view: those set that apply to it (l-diversity and t-closeness need
/// a sensitive attribute, unicity a purchase history, population uniques a population).
fn rules_of(t: &Thresholds, view: &ViewReport) -> Vec<Rule> {
    let sensitive = !view.metrics.l_diversity.is_empty();
    let population = view
        .metrics
        .population
        .as_ref()
        .is_some_and(|p| p.dankar.is_some());
    [
        (Rule::K, t.k.is_some()),
        (Rule::MaxUniqueFraction, t.max_unique_fraction.is_some()),
        (Rule::L, t.l.is_some() && sensitive),
        (Rule::EntropyL, t.entropy_l.is_some() && sensitive),
        (Rule::RecursiveC, t.recursive_c.is_some() && sensitive),
        (Rule::T, t.t.is_some() && sensitive),
        (Rule::MaxProsecutorAvg, t.max_prosecutor_avg.is_some()),
        (Rule::MaxProsecutorMax, t.max_prosecutor_max.is_some()),
        (
            Rule::MaxUnicity,
            t.max_unicity.is_some() && view.unicity.is_some(),
        ),
        (
            Rule::MaxPopulationUniqueFraction,
            t.max_population_unique_fraction.is_some() && population,
        ),
    ]
    .into_iter()
    .filter(|(_, judged)| *judged)
    .map(|(rule, _)| rule)
    .collect()
}
