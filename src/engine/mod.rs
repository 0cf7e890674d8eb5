//! The measurement engine: dictionary-encode the columns of a view, then build its
//! equivalence-class table in one pass. Every metric reads that table.

pub mod cells;
pub mod classes;
pub mod compare;
pub mod encode;
pub mod entity;
pub mod grouping;
pub mod wildcard;

pub use cells::{CellError, Cells};
pub use classes::{ClassTable, Membership, NullMode, SensitiveTable};
pub use encode::{EncodedColumn, encode_columns, take_column};
pub use grouping::{Grouping, class_ids, group_rows, partition_sizes};

use polars::prelude::DataFrame;

use crate::Result;

/// Encodes a view's QI and sensitive columns and builds its class table.
pub fn class_table(df: &DataFrame, qis: &[String], sensitive: &[String]) -> Result<ClassTable> {
    class_table_with(df, qis, sensitive, NullMode::Value, false)
}

/// [`class_table`] with a choice of how missing QI values match, keeping each record's class
/// when `membership` asks for it.
pub fn class_table_with(
    df: &DataFrame,
    qis: &[String],
    sensitive: &[String],
    nulls: NullMode,
    membership: bool,
) -> Result<ClassTable> {
    let timer = crate::timing::Timer::start();
    let (qi_cols, sens_cols) = encode_view(df, qis, sensitive)?;
    timer.lap("encode");
    let table = ClassTable::build(qi_cols, &sens_cols, df.height(), nulls, membership);
    timer.lap("group");
    Ok(table)
}

/// Dictionary-encodes a view's QI and sensitive columns (in one polars pass).
pub fn encode_view(
    df: &DataFrame,
    qis: &[String],
    sensitive: &[String],
) -> Result<(Vec<EncodedColumn>, Vec<EncodedColumn>)> {
    let mut names: Vec<String> = qis.to_vec();
    names.extend(sensitive.iter().filter(|s| !qis.contains(s)).cloned());
    let encoded = encode_columns(df, &names, sensitive)?;
    Ok(split_view(encoded, qis, sensitive))
}

/// Splits encoded columns into the QIs and the sensitive attributes (a column may be both).
pub fn split_view(
    encoded: Vec<EncodedColumn>,
    qis: &[String],
    sensitive: &[String],
) -> (Vec<EncodedColumn>, Vec<EncodedColumn>) {
    let (qi_cols, rest): (Vec<EncodedColumn>, Vec<EncodedColumn>) =
        encoded.into_iter().partition(|c| qis.contains(&c.name));
    let sens_cols: Vec<EncodedColumn> = sensitive
        .iter()
        .filter_map(|s| {
            rest.iter()
                .chain(qi_cols.iter())
                .find(|c| &c.name == s)
                .cloned()
        })
        .collect();
    (qi_cols, sens_cols)
}

/// [`class_table_with`], plus the population class sizes of every sample class from a
/// population table holding the same QI columns. Both are encoded together (as text) so that
/// equal values get equal codes.
pub fn class_table_with_population(
    df: &DataFrame,
    qis: &[String],
    sensitive: &[String],
    nulls: NullMode,
    population: &DataFrame,
    membership: bool,
) -> Result<ClassTable> {
    let mut table = class_table_with(df, qis, sensitive, nulls, membership)?;
    attach_population(&mut table, df, qis, population)?;
    Ok(table)
}

/// Sets the population class size of every class of `table` (built from `df` on `qis`).
pub fn attach_population(
    table: &mut ClassTable,
    df: &DataFrame,
    qis: &[String],
    population: &DataFrame,
) -> Result<()> {
    use polars::prelude::*;
    if population.height() < df.height() {
        crate::bail!(
            "the population table ({} rows) is smaller than the sample ({} rows)",
            population.height(),
            df.height()
        );
    }
    let as_text = |frame: &DataFrame| -> Result<DataFrame> {
        Ok(frame
            .clone()
            .lazy()
            .select(
                qis.iter()
                    .map(|q| col(q.as_str()).cast(DataType::String))
                    .collect::<Vec<_>>(),
            )
            .collect()?)
    };
    let mut both = as_text(df)?;
    both.vstack_mut(&as_text(population)?)?;
    let encoded = encode_columns(&both, qis, &[])?;
    let columns: Vec<(&[u32], usize)> = encoded
        .iter()
        .map(|c| (c.codes.as_slice(), c.slots()))
        .collect();
    let (ids, _) = class_ids(&columns, both.height());
    let n = df.height();
    // Sample classes in the joint numbering → the table's class of the same rows.
    let sample_columns: Vec<(&[u32], usize)> =
        encoded.iter().map(|c| (&c.codes[..n], c.slots())).collect();
    let (sample_ids, _) = class_ids(&sample_columns, n);
    let mut joint_to_sample: hashbrown::HashMap<u32, u32> = hashbrown::HashMap::new();
    for (row, &joint) in ids[..n].iter().enumerate() {
        joint_to_sample.insert(joint, sample_ids[row]);
    }
    let mut population_sizes = vec![0u64; table.sizes.len()];
    for joint in &ids[n..] {
        if let Some(&class) = joint_to_sample.get(joint) {
            population_sizes[class as usize] += 1;
        }
    }
    table.population_sizes = Some(population_sizes);
    Ok(())
}

/// The class table over entities of `df` with the population class sizes from a population
/// table holding the same QI columns and the entity column: each population person's QI value
/// is the multiset of their rows' tuples, as in the sample, and `F_j` counts the population
/// people whose multiset equals sample class `j`'s. Both frames are encoded together (as
/// text) so that equal values get equal codes; the two sides' people are kept apart even
/// where their entity values agree.
pub fn entity_table_with_population(
    df: &DataFrame,
    qis: &[String],
    sensitive: &[String],
    entity: &str,
    population: &DataFrame,
    membership: bool,
) -> Result<ClassTable> {
    use polars::prelude::*;
    let mut names: Vec<String> = qis.to_vec();
    names.push(entity.to_string());
    let (mut qi_cols, sens_cols) = encode_view(df, &names, sensitive)?;
    let entity_col = take_column(&mut qi_cols, entity);
    let sample_people = entity::EntityNumbers::of(&entity_col);
    let sample_columns: Vec<(&[u32], usize)> = qi_cols
        .iter()
        .map(|c| (c.codes.as_slice(), c.slots()))
        .collect();
    let sample = entity::classes_of_entities(&sample_columns, &sample_people, df.height());
    drop(sample_columns);
    drop(qi_cols);
    let mut table = ClassTable::from_entity_classes(&sample, &sens_cols);
    if membership {
        table.membership = Some(Membership::of_people(&sample, sample_people));
    }

    let as_text = |frame: &DataFrame| -> Result<DataFrame> {
        Ok(frame
            .clone()
            .lazy()
            .select(
                names
                    .iter()
                    .map(|q| col(q.as_str()).cast(DataType::String))
                    .collect::<Vec<_>>(),
            )
            .collect()?)
    };
    let mut both = as_text(df)?;
    both.vstack_mut(&as_text(population)?)?;
    let encoded = encode_columns(&both, &names, &[])?;
    let (joint_entity, joint_qis): (Vec<EncodedColumn>, Vec<EncodedColumn>) =
        encoded.into_iter().partition(|c| c.name == entity);
    // The two sides' people numbered apart (sample first) even where their entity values
    // agree: a population person is never merged with a sample person.
    let n = df.height();
    let codes = &joint_entity[0].codes;
    let slots = joint_entity[0].slots();
    let sample_numbers = entity::EntityNumbers::of_codes(&codes[..n], slots);
    let population_numbers = entity::EntityNumbers::of_codes(&codes[n..], slots);
    if population_numbers.len() < sample_numbers.len() {
        crate::bail!(
            "the population table ({} people) is smaller than the sample ({} people)",
            population_numbers.len(),
            sample_numbers.len()
        );
    }
    let numbers = sample_numbers.stacked(n, &population_numbers);
    let columns: Vec<(&[u32], usize)> = joint_qis
        .iter()
        .map(|c| (c.codes.as_slice(), c.slots()))
        .collect();
    let joint = entity::classes_of_entities(&columns, &numbers, both.height());
    // Sample rows come first, so the sample's people are the first numbers, in the same
    // order as in the sample alone.
    let sample_people = sample.entities;
    let mut joint_to_sample: hashbrown::HashMap<u32, u32> = hashbrown::HashMap::new();
    for (person, &class) in joint.entity_classes[..sample_people].iter().enumerate() {
        joint_to_sample.insert(class, sample.entity_classes[person]);
    }
    let mut population_sizes = vec![0u64; table.sizes.len()];
    for class in &joint.entity_classes[sample_people..] {
        if let Some(&sample_class) = joint_to_sample.get(class) {
            population_sizes[sample_class as usize] += 1;
        }
    }
    table.population_sizes = Some(population_sizes);
    Ok(table)
}
