//! The generalisation lattice of a view's quasi-identifiers, searched bottom-up for the
//! least-coarse nodes that meet the policy.
//!
//! A node lifts each QI to a level of its ladder. The view is grouped once, on its codes as
//! released, into *units*: the classes of records with equal QI tuples, or, when a person has
//! several rows, the people with their multiset of tuples. A node regroups the units' tuples
//! with every code replaced by its ancestor at the node's level (the ladders' parent maps), so
//! no row and no string is read again.
//!
//! Monotonicity prunes: a generalisation of a node that meets the policy meets it too (merged
//! classes are at least as large and at least as diverse, and the records to suppress can only
//! shrink), so a node is evaluated only when every node one step below it fails. The nodes
//! that pass are then exactly the minimal ones. Nodes are visited level by level (the sum of
//! the levels), at most [`MAX_NODES`] per view.

pub use super::node::{LevelCodes, NodeFigures, Target, Units};

/// The most lattice nodes evaluated per view.
pub const MAX_NODES: usize = 2_000;

/// The most work per view, in codes read (a node reads every unit's code of every QI): about
/// a minute of one core. It only binds on large views with many nodes to try (2,000 nodes of a
/// view with 1M distinct tuples on 4 QIs), which then say the search was cut.
pub const MAX_WORK: u64 = 4_000_000_000;

/// The outcome of a search.
#[derive(Debug, Clone)]
pub struct Search {
    /// The minimal nodes that meet the target, least information loss first.
    pub remedies: Vec<NodeFigures>,
    /// Nodes evaluated.
    pub evaluated: usize,
    /// Nodes in the lattice.
    pub lattice_nodes: f64,
    /// Whether the search stopped at [`MAX_NODES`] with nodes left to try.
    pub cut: bool,
    /// The top node (every QI at its ladder's top), when no remedy was found.
    pub top: Option<NodeFigures>,
}

/// The most nodes the search enumerates (evaluated or known from others) per view.
const MAX_CANDIDATES: usize = 200_000;

/// What the search knows: every node evaluated, as the fewest nodes that imply the rest
/// (minimal passing nodes, maximal failing ones).
struct Knowledge<'a> {
    units: &'a Units,
    ladders: &'a [LevelCodes],
    target: &'a Target,
    /// Passing nodes; every node above one passes.
    passing: Vec<NodeFigures>,
    /// Failing nodes; every node below one fails.
    failing: Vec<Vec<usize>>,
    evaluated: usize,
    /// Codes read so far ([`MAX_WORK`]).
    work: u64,
    limits: Limits,
}

/// The search's bounds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Nodes evaluated.
    pub nodes: usize,
    /// Codes read.
    pub work: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            nodes: MAX_NODES,
            work: MAX_WORK,
        }
    }
}

/// Whether `a` is `b` or below it: no QI higher.
fn at_or_below(a: &[usize], b: &[usize]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

impl Knowledge<'_> {
    /// Whether the node passes, when known without evaluating it.
    fn known(&self, node: &[usize]) -> Option<bool> {
        if self.passing.iter().any(|p| at_or_below(&p.levels, node)) {
            Some(true)
        } else if self.failing.iter().any(|f| at_or_below(node, f)) {
            Some(false)
        } else {
            None
        }
    }

    /// Whether the node passes, evaluating it when not known; `None` when it is not known and
    /// the evaluation budget is spent.
    fn passes(&mut self, node: &[usize]) -> Option<bool> {
        if let Some(known) = self.known(node) {
            return Some(known);
        }
        let cost = self.units.work();
        if self.evaluated == self.limits.nodes
            || (self.evaluated > 0 && self.work + cost > self.limits.work)
        {
            return None;
        }
        self.evaluated += 1;
        self.work += cost;
        let figures = self.units.evaluate(self.ladders, node, self.target);
        let passes = figures.passes;
        if passes {
            self.passing.retain(|p| !at_or_below(node, &p.levels));
            self.passing.push(figures);
        } else {
            self.failing.retain(|f| !at_or_below(f, node));
            self.failing.push(node.to_vec());
        }
        Some(passes)
    }

    /// The figures of a node known to pass because it was evaluated.
    fn figures(&self, node: &[usize]) -> Option<&NodeFigures> {
        self.passing.iter().find(|p| p.levels == node)
    }

    /// From a failing node, a binary search up a chain to the top (each step lifts the QI
    /// that has climbed the smallest share of its ladder) for the highest node that fails:
    /// everything below it fails, and is not evaluated.
    fn probe_up(&mut self, node: &[usize], heights: &[usize]) {
        let mut chain = vec![node.to_vec()];
        let mut current = node.to_vec();
        while let Some(i) = (0..heights.len())
            .filter(|&i| current[i] < heights[i])
            .min_by(|&a, &b| {
                let share = |i: usize| current[i] as f64 / heights[i] as f64;
                share(a).total_cmp(&share(b)).then(a.cmp(&b))
            })
        {
            current[i] += 1;
            chain.push(current.clone());
        }
        // chain[lo] fails; chain[hi] is the top, which passes or is the last hope.
        let (mut lo, mut hi) = (0, chain.len() - 1);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            match self.passes(&chain[mid]) {
                Some(true) => hi = mid,
                Some(false) => lo = mid,
                None => return,
            }
        }
    }
}

/// Searches the lattice bottom-up, level by level (the sum of the levels): a node is a
/// candidate when every node one step below it fails, and a candidate that passes is a
/// minimal remedy. A candidate is evaluated only when no evaluated node implies its outcome;
/// each one that fails sends a probe up a chain to find a high failing node, which settles
/// the nodes below it without evaluating them. At most [`MAX_NODES`] evaluations.
pub fn search(units: &Units, ladders: &[LevelCodes], target: &Target) -> Search {
    search_within(units, ladders, target, Limits::default())
}

/// [`search`] within other bounds.
pub fn search_within(
    units: &Units,
    ladders: &[LevelCodes],
    target: &Target,
    limits: Limits,
) -> Search {
    let heights: Vec<usize> = ladders.iter().map(LevelCodes::height).collect();
    let lattice_nodes: f64 = heights.iter().map(|&h| (h + 1) as f64).product();
    let mut knowledge = Knowledge {
        units,
        ladders,
        target,
        passing: Vec::new(),
        failing: Vec::new(),
        evaluated: 0,
        work: 0,
        limits,
    };
    let mut remedies: Vec<NodeFigures> = Vec::new();
    let mut cut = false;
    let mut enumerated = 0;
    let mut level: Vec<Vec<usize>> = vec![vec![0; heights.len()]];
    'levels: while !level.is_empty() {
        let mut failed: hashbrown::HashSet<Vec<usize>> = hashbrown::HashSet::new();
        for node in &level {
            enumerated += 1;
            let was_known = knowledge.known(node).is_some();
            match knowledge.passes(node) {
                None => {
                    cut = true;
                    break 'levels;
                }
                Some(true) => {
                    let figures = match knowledge.figures(node) {
                        Some(f) => f.clone(),
                        // Known from a passing node below it cannot be: every node below a
                        // candidate fails. Evaluated by a probe, it is in `passing`.
                        None => units.evaluate(ladders, node, target),
                    };
                    remedies.push(figures);
                }
                Some(false) => {
                    if !was_known {
                        knowledge.probe_up(node, &heights);
                    }
                    failed.insert(node.clone());
                }
            }
        }
        if enumerated >= MAX_CANDIDATES {
            cut = true;
            break;
        }
        // The next level: nodes one step above a failed one whose every node below failed.
        let mut next: Vec<Vec<usize>> = Vec::new();
        let mut seen: hashbrown::HashSet<Vec<usize>> = hashbrown::HashSet::new();
        let mut sorted: Vec<&Vec<usize>> = failed.iter().collect();
        sorted.sort();
        for node in sorted {
            for i in 0..heights.len() {
                if node[i] == heights[i] {
                    continue;
                }
                let mut up = node.clone();
                up[i] += 1;
                if !seen.insert(up.clone()) {
                    continue;
                }
                let all_below_failed = (0..heights.len()).filter(|&j| up[j] > 0).all(|j| {
                    let mut below = up.clone();
                    below[j] -= 1;
                    failed.contains(&below)
                });
                if all_below_failed {
                    next.push(up);
                }
            }
        }
        next.sort();
        level = next;
    }
    remedies.sort_by(|a, b| {
        a.information_loss
            .total_cmp(&b.information_loss)
            .then(a.suppressed.cmp(&b.suppressed))
            .then(a.levels.cmp(&b.levels))
    });
    let top = remedies
        .is_empty()
        .then(|| units.evaluate(ladders, &heights, target));
    Search {
        remedies,
        evaluated: knowledge.evaluated,
        lattice_nodes,
        cut,
        top,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::remedy::ladder::Ladder;
    use crate::engine::entity::EntityNumbers;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// A random view: rows of two QIs (codes 1..=4, 0 missing), one sensitive code, and a
    /// person per row drawn from a few; ladders of random parent maps.
    #[derive(Debug, Clone)]
    struct Case {
        qis: Vec<Vec<u32>>,
        sensitive: Vec<u32>,
        people: Vec<u32>,
        ladders: Vec<Vec<Vec<u32>>>,
        k: u32,
        l: Option<usize>,
        max_unique: Option<f64>,
        max_suppressed: usize,
        by_person: bool,
        /// The other rules a node's classes decide.
        rules: Rules,
    }

    #[derive(Debug, Clone, Copy)]
    struct Rules {
        entropy_l: Option<f64>,
        recursive_c: Option<f64>,
        t: Option<f64>,
        max_prosecutor_avg: Option<f64>,
        /// Sensitive values ordered (ordered distance) or not (equal distance).
        numeric: bool,
    }

    fn rules() -> impl Strategy<Value = Rules> {
        (
            prop::option::weighted(0.3, 1.0f64..2.5),
            prop::option::weighted(0.3, 1.0f64..4.0),
            prop::option::weighted(0.3, 0.0f64..0.6),
            prop::option::weighted(0.3, 0.2f64..1.0),
            any::<bool>(),
        )
            .prop_map(
                |(entropy_l, recursive_c, t, max_prosecutor_avg, numeric)| Rules {
                    entropy_l,
                    recursive_c,
                    t,
                    max_prosecutor_avg,
                    numeric,
                },
            )
    }

    /// A ladder over codes 0..=4: each step maps the level's codes onto fewer or as many
    /// codes, code 0 staying 0.
    fn ladder() -> impl Strategy<Value = Vec<Vec<u32>>> {
        prop::collection::vec(prop::collection::vec(1u32..4, 4), 0..3).prop_map(|steps| {
            let mut slots = 5usize;
            let mut out = Vec::new();
            for step in steps {
                let mut parents = vec![0u32];
                parents.extend(
                    step.iter()
                        .take(slots - 1)
                        .map(|&p| p.min(slots as u32 - 1).max(1)),
                );
                while parents.len() < slots {
                    parents.push(1);
                }
                // Dense: renumber the parents used.
                let mut seen: BTreeMap<u32, u32> = BTreeMap::new();
                for p in parents.iter_mut().skip(1) {
                    let next = seen.len() as u32 + 1;
                    *p = *seen.entry(*p).or_insert(next);
                }
                slots = seen.len() + 1;
                out.push(parents);
            }
            out
        })
    }

    fn case() -> impl Strategy<Value = Case> {
        (1usize..40).prop_flat_map(|n| {
            (
                prop::collection::vec(prop::collection::vec(0u32..5, n), 2),
                prop::collection::vec(0u32..3, n),
                prop::collection::vec(0u32..8, n),
                prop::collection::vec(ladder(), 2),
                1u32..4,
                prop::option::of(1usize..3),
                prop::option::of(0.0f64..0.5),
                0usize..5,
                any::<bool>(),
                rules(),
            )
                .prop_map(
                    |(
                        qis,
                        sensitive,
                        people,
                        ladders,
                        k,
                        l,
                        max_unique,
                        max_suppressed,
                        by_person,
                        rules,
                    )| Case {
                        qis,
                        sensitive,
                        people,
                        ladders,
                        k,
                        l,
                        max_unique,
                        max_suppressed,
                        by_person,
                        rules,
                    },
                )
        })
    }

    fn tables(case: &Case) -> Vec<LevelCodes> {
        case.ladders
            .iter()
            .map(|steps| {
                let mut slots = vec![5usize];
                for p in steps {
                    slots.push(*p.iter().max().unwrap() as usize + 1);
                }
                LevelCodes::of(&Ladder {
                    column: String::new(),
                    steps: steps
                        .iter()
                        .map(|_| crate::plan::Generalization::Builtin("suppress".into()))
                        .collect(),
                    parents: steps.clone(),
                    slots,
                })
            })
            .collect()
    }

    fn units(case: &Case) -> (Units, Target) {
        let columns: Vec<(&[u32], usize)> = case.qis.iter().map(|c| (c.as_slice(), 5)).collect();
        let numbers = EntityNumbers::of_codes(&case.people, 9);
        let entity = case.by_person.then_some(&numbers);
        let sensitive = super::super::node::SensitiveCodes {
            positions: &case.sensitive,
            values: 3,
            numeric: case.rules.numeric,
        };
        let units = Units::group(&columns, entity, &[sensitive], case.qis[0].len());
        let target = Target {
            k: case.k,
            l: case.l,
            entropy_l: case.rules.entropy_l,
            recursive: case.rules.recursive_c.map(|c| (2, c)),
            t: case.rules.t,
            max_unique_fraction: case.max_unique,
            max_prosecutor_avg: case.rules.max_prosecutor_avg,
            max_suppressed: case.max_suppressed,
        };
        (units, target)
    }

    /// The obvious figures of a node.
    #[derive(Debug)]
    struct Slow {
        k: u32,
        unique: f64,
        l: Vec<usize>,
        entropy_l: Vec<f64>,
        recursive_c: Vec<Option<f64>>,
        t: Vec<f64>,
        prosecutor_avg: f64,
        suppressed: usize,
        passes: bool,
    }

    /// `exp(H)` of a class, from the definition.
    fn entropy_l(counts: &BTreeMap<u32, u32>) -> f64 {
        let n: u32 = counts.values().sum();
        (-counts
            .values()
            .map(|&c| {
                let p = c as f64 / n as f64;
                p * p.ln()
            })
            .sum::<f64>())
        .exp()
    }

    /// `r_1 / (r_2 + … + r_m)` with the counts sorted descending.
    fn recursive_c(counts: &BTreeMap<u32, u32>) -> Option<f64> {
        let mut r: Vec<u32> = counts.values().copied().collect();
        r.sort_by(|a, b| b.cmp(a));
        (r.len() >= 2).then(|| r[0] as f64 / r[1..].iter().sum::<u32>() as f64)
    }

    /// The distance of a class from `q` (value → share of the records), from the definitions:
    /// half the L1 distance, or the mean absolute cumulative difference over the ordered values
    /// present.
    fn distance(counts: &BTreeMap<u32, u32>, q: &BTreeMap<u32, f64>, numeric: bool) -> f64 {
        let n: u32 = counts.values().sum();
        let p = |v: u32| counts.get(&v).map_or(0.0, |&c| c as f64 / n as f64);
        if !numeric {
            return 0.5 * q.iter().map(|(&v, &qv)| (p(v) - qv).abs()).sum::<f64>();
        }
        let m = q.len();
        if m < 2 {
            return 0.0;
        }
        let mut cumulative = 0.0;
        let mut total = 0.0;
        for (&v, &qv) in q.iter().take(m - 1) {
            cumulative += p(v) - qv;
            total += cumulative.abs();
        }
        total / (m - 1) as f64
    }

    /// The obvious way: lift every row, key each record (or person, by the sorted list of
    /// their rows' lifted tuples), group with a map, and count.
    fn slow(case: &Case, tables: &[LevelCodes], levels: &[usize]) -> Slow {
        let n = case.qis[0].len();
        let lifted = |r: usize| -> Vec<u32> {
            (0..2)
                .map(|i| tables[i].codes[levels[i]][case.qis[i][r] as usize])
                .collect()
        };
        // Records, or people: (key, rows per sensitive value, first row).
        type Unit = (Vec<Vec<u32>>, BTreeMap<u32, u32>, usize);
        let mut units: BTreeMap<u32, Unit> = BTreeMap::new();
        for r in 0..n {
            // A row without a person is a person of its own.
            let who = if case.by_person && case.people[r] != 0 {
                case.people[r]
            } else {
                1000 + r as u32
            };
            let unit = units
                .entry(who)
                .or_insert_with(|| (vec![], BTreeMap::new(), r));
            unit.0.push(lifted(r));
            *unit.1.entry(case.sensitive[r]).or_default() += 1;
        }
        // Class → (size, value counts, first rows of its units).
        type Class = (u32, BTreeMap<u32, u32>, Vec<usize>);
        let mut classes: BTreeMap<Vec<Vec<u32>>, Class> = BTreeMap::new();
        for (_, (mut key, values, first)) in units {
            key.sort();
            let class = classes.entry(key).or_default();
            class.0 += 1;
            for (v, c) in values {
                *class.1.entry(v).or_default() += c;
            }
            class.2.push(first);
        }
        let classes: Vec<Class> = classes.into_values().collect();
        let q_of = |kept: &[bool]| -> BTreeMap<u32, f64> {
            let mut rows: BTreeMap<u32, u32> = BTreeMap::new();
            for (class, _) in classes.iter().zip(kept).filter(|(_, k)| **k) {
                for (&v, &c) in &class.1 {
                    *rows.entry(v).or_default() += c;
                }
            }
            let n: u32 = rows.values().sum();
            rows.into_iter()
                .map(|(v, c)| (v, c as f64 / n as f64))
                .collect()
        };
        let rules = &case.rules;
        let q_all = q_of(&vec![true; classes.len()]);
        let mut kept: Vec<bool> = classes
            .iter()
            .map(|(size, values, _)| {
                *size >= case.k
                    && case.l.is_none_or(|l| values.len() >= l)
                    && rules.entropy_l.is_none_or(|l| entropy_l(values) >= l)
                    && rules
                        .recursive_c
                        .is_none_or(|c| recursive_c(values).is_some_and(|x| x <= c))
                    && rules
                        .t
                        .is_none_or(|t| distance(values, &q_all, rules.numeric) <= t)
            })
            .collect();
        let count = |kept: &[bool], f: &dyn Fn(&Class) -> bool| -> usize {
            classes
                .iter()
                .zip(kept)
                .filter(|(c, k)| **k && f(c))
                .map(|(c, _)| c.0 as usize)
                .sum()
        };
        let total: usize = classes.iter().map(|c| c.0 as usize).sum();
        if let Some(m) = case.max_unique {
            // Suppress uniques one at a time, the one whose row comes first, until the
            // fraction is within the limit.
            loop {
                let kept_n = count(&kept, &|_| true);
                let uniques = count(&kept, &|c| c.0 == 1);
                if kept_n == 0 || uniques as f64 <= m * kept_n as f64 {
                    break;
                }
                let first = (0..classes.len())
                    .filter(|&c| kept[c] && classes[c].0 == 1)
                    .min_by_key(|&c| classes[c].2[0])
                    .unwrap();
                kept[first] = false;
            }
        }
        let kept_n = count(&kept, &|_| true);
        let suppressed = total - kept_n;
        let kept_classes: Vec<&Class> = classes
            .iter()
            .zip(&kept)
            .filter(|(_, k)| **k)
            .map(|(c, _)| c)
            .collect();
        let k = kept_classes.iter().map(|c| c.0).min().unwrap_or(0);
        let l = case
            .l
            .map(|_| vec![kept_classes.iter().map(|c| c.1.len()).min().unwrap_or(0)])
            .unwrap_or_default();
        let e = rules
            .entropy_l
            .map(|_| {
                vec![
                    kept_classes
                        .iter()
                        .map(|c| entropy_l(&c.1))
                        .reduce(f64::min)
                        .unwrap_or(0.0),
                ]
            })
            .unwrap_or_default();
        let rc = rules
            .recursive_c
            .map(|_| {
                vec![
                    kept_classes
                        .iter()
                        .try_fold(0.0f64, |m, c| recursive_c(&c.1).map(|x| m.max(x))),
                ]
            })
            .unwrap_or_default();
        let q_kept = q_of(&kept);
        let t = rules
            .t
            .map(|_| {
                vec![
                    kept_classes
                        .iter()
                        .map(|c| distance(&c.1, &q_kept, rules.numeric))
                        .fold(0.0, f64::max),
                ]
            })
            .unwrap_or_default();
        let avg = if kept_n == 0 {
            0.0
        } else {
            kept_classes.len() as f64 / kept_n as f64
        };
        let uniques = count(&kept, &|c| c.0 == 1);
        Slow {
            k,
            unique: if kept_n == 0 {
                0.0
            } else {
                uniques as f64 / kept_n as f64
            },
            passes: kept_n > 0
                && suppressed <= case.max_suppressed
                && rules.t.is_none_or(|limit| t.iter().all(|&x| x <= limit))
                && rules.max_prosecutor_avg.is_none_or(|max| avg <= max),
            l,
            entropy_l: e,
            recursive_c: rc,
            t,
            prosecutor_avg: avg,
            suppressed,
        }
    }

    fn all_nodes(heights: &[usize]) -> Vec<Vec<usize>> {
        let mut nodes = vec![vec![]];
        for &h in heights {
            nodes = nodes
                .into_iter()
                .flat_map(|n: Vec<usize>| {
                    (0..=h).map(move |x| {
                        let mut m = n.clone();
                        m.push(x);
                        m
                    })
                })
                .collect();
        }
        nodes
    }

    proptest! {
        /// Every node's figures equal the obvious computation's, and the search reports
        /// exactly the minimal passing nodes of the whole lattice.
        #[test]
        fn figures_and_remedies_match_brute_force(case in case()) {
            let tables = tables(&case);
            let (units, target) = units(&case);
            let heights: Vec<usize> = tables.iter().map(LevelCodes::height).collect();
            let mut passing = Vec::new();
            for node in all_nodes(&heights) {
                let fast = units.evaluate(&tables, &node, &target);
                let slow = slow(&case, &tables, &node);
                let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
                prop_assert_eq!(fast.k, slow.k, "k at {:?}", node);
                prop_assert!(close(fast.unique_fraction, slow.unique));
                prop_assert_eq!(&fast.l, &slow.l);
                prop_assert_eq!(fast.suppressed, slow.suppressed, "at {:?}: {:?}", node, slow);
                prop_assert!(fast.entropy_l.iter().zip(&slow.entropy_l).all(|(a, b)| close(*a, *b)));
                prop_assert_eq!(fast.entropy_l.len(), slow.entropy_l.len());
                prop_assert_eq!(fast.recursive_c.len(), slow.recursive_c.len());
                for (a, b) in fast.recursive_c.iter().zip(&slow.recursive_c) {
                    prop_assert!(a.zip(*b).is_none_or(|(a, b)| close(a, b)) && a.is_some() == b.is_some());
                }
                prop_assert_eq!(fast.t.len(), slow.t.len());
                prop_assert!(fast.t.iter().zip(&slow.t).all(|(a, b)| close(*a, *b)), "t {:?} vs {:?}", fast.t, slow.t);
                prop_assert!(close(fast.prosecutor_avg, slow.prosecutor_avg));
                prop_assert_eq!(fast.passes, slow.passes, "passes at {:?}: {:?}", node, slow);
                if fast.passes {
                    passing.push(node);
                }
            }
            let minimal: BTreeSet<Vec<usize>> = passing
                .iter()
                .filter(|n| !passing.iter().any(|p| p != *n && at_or_below(p, n)))
                .cloned()
                .collect();
            // Without suppression every rule is monotone (merged classes are larger, at least as
            // diverse, no farther from the fixed distribution, and fewer), so the passing nodes
            // are closed upwards; suppression can break that for t and the average risk, and
            // the search then still reports only passing nodes.
            let heights_up = |n: &Vec<usize>| -> Vec<Vec<usize>> {
                (0..n.len())
                    .filter(|&i| n[i] < heights[i])
                    .map(|i| {
                        let mut up = n.clone();
                        up[i] += 1;
                        up
                    })
                    .collect()
            };
            let monotone = passing.iter().all(|n| heights_up(n).iter().all(|u| passing.contains(u)));
            if target.max_suppressed == 0 {
                prop_assert!(monotone, "not monotone: {:?}", passing);
            }
            let found = search(&units, &tables, &target);
            prop_assert!(!found.cut);
            let reported: BTreeSet<Vec<usize>> =
                found.remedies.iter().map(|r| r.levels.clone()).collect();
            if monotone {
                prop_assert_eq!(&reported, &minimal);
            } else {
                prop_assert!(found.remedies.iter().all(|r| r.passes));
            }
            prop_assert!(found.remedies.windows(2).all(|w| w[0].information_loss <= w[1].information_loss));

            // Cut short by either bound, it reports only minimal nodes, and says it was cut
            // when it evaluated fewer nodes than the full search.
            for limits in [
                Limits { nodes: 2, work: MAX_WORK },
                Limits { nodes: MAX_NODES, work: 2 * units.work() },
            ] {
                let short = search_within(&units, &tables, &target, limits);
                prop_assert!(short.evaluated <= 2);
                prop_assert_eq!(short.cut, short.evaluated < found.evaluated);
                for r in &short.remedies {
                    prop_assert!(!monotone || minimal.contains(&r.levels));
                    prop_assert!(r.passes);
                }
            }
        }
    }
}
