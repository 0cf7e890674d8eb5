//! A direct path from Parquet to dictionary codes, the Parquet counterpart of
//! [`super::coded_csv`].
//!
//! Parquet writers store low-cardinality columns — nearly every QI — dictionary-encoded: each
//! row group's column chunk holds a dictionary page of its distinct values and data pages of
//! small indices into it. Going through polars decodes every index back into a string and then
//! hashes every string again to build a categorical dictionary. This reader keeps the indices:
//! every column chunk is decoded on its own (the chunks share out the cores) straight into its
//! rows of the final code column, as local codes `1..` into its own dictionary. The chunks'
//! dictionaries are then merged once per column — this is where `--strip` and `--null-values`
//! apply, once per distinct value — and every chunk's codes are renumbered in place.
//!
//! Integer columns (`INT32`, `INT64`) are coded the same way and then ranked: their codes
//! follow numeric order, as the polars path ranks them. A chunk whose writer gave up on the
//! dictionary (plain-encoded pages, e.g. a high-cardinality amount) simply gets one local entry
//! per value.
//!
//! Dates and timestamps are integers too (days, or milli-, micro- or nanoseconds since 1970),
//! kept as such with their unit ([`Dictionary::Times`]) so that time coarsening works on the
//! numbers; their text is ISO 8601.
//!
//! It handles the common case only and says so by returning `None`: a column that is nested,
//! repeated, missing or duplicated, of another type (floats, decimals, times of day, unsigned
//! or binary data), data pages of another encoding (delta, byte stream split), a value that is not
//! UTF-8, no rows, or any page it cannot decode. The caller then takes the polars path, which also words
//! the error when the file is corrupt.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};

use polars_buffer::Buffer;
use polars_parquet::parquet::encoding::Encoding;
use polars_parquet::parquet::encoding::hybrid_rle::{HybridRleChunk, HybridRleDecoder};
use polars_parquet::parquet::metadata::{ColumnChunkMetadata, FileMetadata};
use polars_parquet::parquet::page::{DataPage, DataPageHeader};
use polars_parquet::parquet::read::{BasicDecompressor, PageReader, read_metadata};
use polars_parquet::parquet::schema::types::{
    IntegerType, ParquetType, PhysicalType, PrimitiveConvertedType, PrimitiveLogicalType, TimeUnit,
};
use rayon::prelude::*;

use super::coded::{CodedColumn, Dictionary, DictionaryBuilder, IntegerRanks, TimeStep};
use super::{InputFormat, LoadOptions, format_from_path};
use crate::Result;

/// The largest page header or page this reader accepts (a guard against corrupt sizes).
const MAX_PAGE_SIZE: usize = 1 << 30;

/// How a column's values are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// UTF-8 text (`BYTE_ARRAY` annotated as a string).
    Text,
    /// Signed 32-bit integers.
    Int32,
    /// Signed 64-bit integers.
    Int64,
    /// A date (`INT32` days).
    Date,
    /// A timestamp (`INT64` in the unit).
    Timestamp(TimeStep),
}

/// The kind of a top-level column this reader can code, or `None`.
fn kind_of(field: &ParquetType) -> Option<Kind> {
    let ParquetType::PrimitiveType(primitive) = field else {
        return None;
    };
    let logical = primitive.logical_type;
    let converted = primitive.converted_type;
    match primitive.physical_type {
        PhysicalType::ByteArray => {
            let text = matches!(logical, Some(PrimitiveLogicalType::String))
                || (logical.is_none() && matches!(converted, Some(PrimitiveConvertedType::Utf8)));
            text.then_some(Kind::Text)
        }
        PhysicalType::Int32 if matches!(logical, Some(PrimitiveLogicalType::Date)) => {
            Some(Kind::Date)
        }
        PhysicalType::Int64 if matches!(logical, Some(PrimitiveLogicalType::Timestamp { .. })) => {
            let Some(PrimitiveLogicalType::Timestamp { unit, .. }) = logical else {
                unreachable!()
            };
            Some(Kind::Timestamp(match unit {
                TimeUnit::Milliseconds => TimeStep::Millis,
                TimeUnit::Microseconds => TimeStep::Micros,
                TimeUnit::Nanoseconds => TimeStep::Nanos,
            }))
        }
        PhysicalType::Int32 | PhysicalType::Int64 => {
            let signed_logical = match logical {
                None => true,
                Some(PrimitiveLogicalType::Integer(width)) => matches!(
                    width,
                    IntegerType::Int8
                        | IntegerType::Int16
                        | IntegerType::Int32
                        | IntegerType::Int64
                ),
                Some(_) => false,
            };
            let signed_converted = match converted {
                None => true,
                Some(c) => matches!(
                    c,
                    PrimitiveConvertedType::Int8
                        | PrimitiveConvertedType::Int16
                        | PrimitiveConvertedType::Int32
                        | PrimitiveConvertedType::Int64
                ),
            };
            (signed_logical && signed_converted).then_some(
                if primitive.physical_type == PhysicalType::Int32 {
                    Kind::Int32
                } else {
                    Kind::Int64
                },
            )
        }
        _ => None,
    }
}

/// One column chunk's own dictionary: local code `i + 1` is entry `i`.
#[derive(Debug, Default)]
struct LocalValues {
    /// Text entries, back to back; entry `i` ends at `ends[i]`.
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Integer entries.
    integers: Vec<i64>,
    /// Whether any row refers to entry `i`: a dictionary page may hold values no row has, and
    /// those must not become values of the column.
    used: Vec<bool>,
}

impl LocalValues {
    fn len(&self) -> usize {
        self.used.len()
    }

    fn text(&self, entry: usize) -> &[u8] {
        let start = if entry == 0 { 0 } else { self.ends[entry - 1] };
        &self.bytes[start..self.ends[entry]]
    }

    /// Appends `count` plain-encoded values of `kind` from `data`.
    fn push_plain(&mut self, kind: Kind, data: &[u8], count: usize, used: bool) -> Option<()> {
        match kind {
            Kind::Text => {
                let mut rest = data;
                for _ in 0..count {
                    let length = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
                    let value = rest.get(4..4 + length)?;
                    self.bytes.extend_from_slice(value);
                    self.ends.push(self.bytes.len());
                    rest = &rest[4 + length..];
                }
            }
            Kind::Int32 | Kind::Date => {
                let values = data.get(..count * 4)?;
                self.integers.extend(
                    values
                        .chunks_exact(4)
                        .map(|v| i32::from_le_bytes(v.try_into().unwrap()) as i64),
                );
            }
            Kind::Int64 | Kind::Timestamp(_) => {
                let values = data.get(..count * 8)?;
                self.integers.extend(
                    values
                        .chunks_exact(8)
                        .map(|v| i64::from_le_bytes(v.try_into().unwrap())),
                );
            }
        }
        self.used.resize(self.used.len() + count, used);
        Some(())
    }
}

/// Decodes a run-length/bit-packed hybrid stream of `count` values of `bits` bits into
/// `out` (cleared first).
fn decode_hybrid(data: &[u8], bits: u32, count: usize, out: &mut Vec<u32>) -> Option<()> {
    out.clear();
    for chunk in HybridRleDecoder::new(data, bits, count).into_chunk_iter() {
        match chunk.ok()? {
            HybridRleChunk::Rle(value, length) => out.resize(out.len() + length, value),
            HybridRleChunk::Bitpacked(decoder) => decoder.collect_into(out),
        }
    }
    (out.len() == count).then_some(())
}

/// A data page's definition levels and values. Version 1 pages prefix their levels with their
/// length in bytes; version 2 pages give the lengths in the header (and keep the levels
/// uncompressed, which the decompressor already took care of).
fn split_page(page: &DataPage, has_levels: bool) -> Option<(&[u8], &[u8])> {
    let buffer = page.buffer();
    match page.header() {
        DataPageHeader::V1(_) => {
            if !has_levels {
                return Some((&[], buffer));
            }
            if page.definition_level_encoding() != Encoding::Rle {
                return None;
            }
            let length = u32::from_le_bytes(buffer.get(..4)?.try_into().ok()?) as usize;
            Some((buffer.get(4..4 + length)?, buffer.get(4 + length..)?))
        }
        DataPageHeader::V2(header) => {
            // No repetition levels: the column is flat (see `plan_columns`).
            let repetition = usize::try_from(header.repetition_levels_byte_length).ok()?;
            let definition = usize::try_from(header.definition_levels_byte_length).ok()?;
            let levels = buffer.get(repetition..repetition + definition)?;
            Some((levels, buffer.get(repetition + definition..)?))
        }
    }
}

/// The bytes of one column chunk: only the wanted columns' chunks are ever read, one at a
/// time per core, so neither the whole file nor its other columns are held in memory.
fn read_chunk(path: &str, file_len: u64, meta: &ColumnChunkMetadata) -> Option<Buffer<u8>> {
    let range = meta.byte_range();
    if range.start > range.end || range.end > file_len {
        return None;
    }
    let mut bytes = vec![0u8; (range.end - range.start) as usize];
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(range.start)).ok()?;
    file.read_exact(&mut bytes).ok()?;
    Some(Buffer::from_vec(bytes))
}

/// Decodes one column chunk, `bytes`, into `rows` (its rows of the final code column) as
/// local codes into the returned dictionary, `0` for a missing value.
fn decode_chunk(
    bytes: Buffer<u8>,
    meta: &ColumnChunkMetadata,
    kind: Kind,
    rows: &mut [u32],
) -> Option<LocalValues> {
    let has_levels = meta.descriptor().descriptor.max_def_level > 0;
    // The reader starts at the chunk's first page, the start of `bytes`.
    let reader = PageReader::new(Cursor::new(bytes), meta, Vec::new(), MAX_PAGE_SIZE);
    let mut pages = BasicDecompressor::new(reader, Vec::new());
    let mut local = LocalValues::default();
    if let Some(dictionary) = pages.read_dict_page().ok()? {
        local.push_plain(kind, &dictionary.buffer, dictionary.num_values, false)?;
    }
    let dictionary_len = local.len();
    let (mut levels, mut indices) = (Vec::new(), Vec::new());
    let mut at = 0;
    while let Some(item) = pages.next() {
        let page = item.ok()?.decompress(&mut pages).ok()?;
        let count = page.num_values();
        let out = rows.get_mut(at..at + count)?;
        let (level_data, values) = split_page(&page, has_levels)?;
        // Which rows have a value (definition level 1 of a flat optional column).
        let present = if has_levels {
            decode_hybrid(level_data, 1, count, &mut levels)?;
            levels.iter().filter(|&&l| l == 1).count()
        } else {
            count
        };
        match page.encoding() {
            Encoding::RleDictionary | Encoding::PlainDictionary => {
                if present > 0 {
                    let (&bits, data) = values.split_first()?;
                    if bits > 32 {
                        return None;
                    }
                    decode_hybrid(data, bits as u32, present, &mut indices)?;
                    if indices.iter().any(|&i| i as usize >= dictionary_len) {
                        return None;
                    }
                } else {
                    indices.clear();
                }
                for &i in &indices {
                    local.used[i as usize] = true;
                }
            }
            Encoding::Plain => {
                let first = local.len() as u32;
                local.push_plain(kind, values, present, true)?;
                indices.clear();
                indices.extend(first..first + present as u32);
            }
            _ => return None,
        }
        if present == count {
            for (code, &i) in out.iter_mut().zip(&indices) {
                *code = i + 1;
            }
        } else {
            let mut next = indices.iter();
            for (code, &level) in out.iter_mut().zip(&levels) {
                *code = if level == 1 { next.next()? + 1 } else { 0 };
            }
        }
        at += count;
        pages.reuse_page_buffer(page);
    }
    (at == rows.len()).then_some(local)
}

/// Merges the chunks' dictionaries of a text column and renumbers its codes in place.
/// `None` when a value is not UTF-8.
fn merge_text(
    chunks: &[(LocalValues, std::ops::Range<usize>)],
    codes: &mut [u32],
    opts: &LoadOptions,
) -> Option<Dictionary> {
    let mut dictionary = DictionaryBuilder::new(opts);
    let mut remap: Vec<u32> = Vec::new();
    for (local, rows) in chunks {
        remap.clear();
        remap.resize(local.len() + 1, 0);
        for entry in (0..local.len()).filter(|&e| local.used[e]) {
            remap[entry + 1] = dictionary.code(local.text(entry))?;
        }
        for code in &mut codes[rows.clone()] {
            *code = remap[*code as usize];
        }
    }
    Some(dictionary.finish())
}

/// Ranks the values of an integer column and renumbers its codes in place, so that code `r`
/// is the `r`-th smallest value. Returns the distinct values, ascending.
fn merge_integers(chunks: &[(LocalValues, std::ops::Range<usize>)], codes: &mut [u32]) -> Vec<i64> {
    let used = || {
        chunks.iter().flat_map(|(local, _)| {
            local
                .integers
                .iter()
                .zip(&local.used)
                .filter_map(|(&v, &u)| u.then_some(v))
        })
    };
    // No values: every code is already 0.
    let Some(ranks) = IntegerRanks::new(used, codes.len()) else {
        return Vec::new();
    };
    let mut remap: Vec<u32> = Vec::new();
    for (local, rows) in chunks {
        remap.clear();
        remap.push(0);
        remap.extend(
            local
                .integers
                .iter()
                .zip(&local.used)
                .map(|(&v, &u)| if u { ranks.rank(v) } else { 0 }),
        );
        for code in &mut codes[rows.clone()] {
            *code = remap[*code as usize];
        }
    }
    ranks.distinct
}

/// The columns of a Parquet file this reader can code: per wanted column, its leaf index in
/// every row group and its kind.
fn plan_columns(metadata: &FileMetadata, columns: &[String]) -> Option<Vec<(usize, Kind)>> {
    let schema = metadata.schema();
    columns
        .iter()
        .map(|name| {
            let mut fields = schema.fields().iter().filter(|f| f.name() == name);
            let (Some(field), None) = (fields.next(), fields.next()) else {
                return None;
            };
            let kind = kind_of(field)?;
            let mut leaves = schema
                .columns()
                .iter()
                .enumerate()
                .filter(|(_, c)| c.path_in_schema.len() == 1 && c.path_in_schema[0] == name);
            let (Some((leaf, descriptor)), None) = (leaves.next(), leaves.next()) else {
                return None;
            };
            let levels = &descriptor.descriptor;
            (levels.max_rep_level == 0 && levels.max_def_level <= 1).then_some((leaf, kind))
        })
        .collect()
}

/// Reads the named columns of a plain Parquet file as dictionary codes, or `None` when the
/// file is outside what this reader handles (see the module documentation). polars-parquet
/// panics on some damaged footers and pages instead of failing; [`crate::source::Source`]
/// turns that into "not a valid Parquet file".
pub fn read_coded(
    path: &str,
    columns: &[String],
    opts: &LoadOptions,
) -> Result<Option<(Vec<CodedColumn>, usize)>> {
    let format = opts.format.or_else(|| format_from_path(path));
    if path == "-" || path.ends_with(".gz") || format != Some(InputFormat::Parquet) {
        return Ok(None);
    }
    if columns.is_empty() || !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let Ok(mut file) = File::open(path) else {
        return Ok(None);
    };
    let file_len = file.metadata()?.len();
    // A footer that declares more than it holds would make the decoder allocate it.
    super::check_parquet_file(path)?;
    let Ok(metadata) = read_metadata(&mut file) else {
        return Ok(None);
    };
    drop(file);
    let Some(plan) = plan_columns(&metadata, columns) else {
        return Ok(None);
    };
    let rows: usize = metadata.row_groups.iter().map(|g| g.num_rows()).sum();
    if rows == 0 || rows != metadata.num_rows || rows > u32::MAX as usize {
        return Ok(None);
    }

    // Every (column, row group) chunk is a task writing its own rows of its column.
    // One allocation per column (not clones of one, whose reads would map the zero page); every
    // row is written by its chunk's decoder before it is read.
    let mut codes: Vec<Vec<u32>> = (0..columns.len()).map(|_| vec![0u32; rows]).collect();
    let mut tasks = Vec::new();
    for (slot, column_codes) in codes.iter_mut().enumerate() {
        let mut rest: &mut [u32] = column_codes;
        let mut start = 0;
        for group in &metadata.row_groups {
            let (mine, after) = rest.split_at_mut(group.num_rows());
            rest = after;
            let Some(chunk) = group.parquet_columns().get(plan[slot].0) else {
                return Ok(None);
            };
            tasks.push((slot, chunk, start..start + group.num_rows(), mine));
            start += group.num_rows();
        }
    }
    let decoded: Option<Vec<(usize, LocalValues, std::ops::Range<usize>)>> = tasks
        .into_par_iter()
        .map(|(slot, chunk, range, rows)| {
            let bytes = read_chunk(path, file_len, chunk)?;
            decode_chunk(bytes, chunk, plan[slot].1, rows).map(|local| (slot, local, range))
        })
        .collect();
    let Some(decoded) = decoded else {
        return Ok(None);
    };
    let mut per_column: Vec<Vec<(LocalValues, std::ops::Range<usize>)>> =
        (0..columns.len()).map(|_| Vec::new()).collect();
    for (slot, local, range) in decoded {
        per_column[slot].push((local, range));
    }

    let merged: Option<Vec<CodedColumn>> = per_column
        .into_par_iter()
        .zip(codes)
        .enumerate()
        .map(|(slot, (chunks, mut codes))| {
            let dictionary = match plan[slot].1 {
                Kind::Text => merge_text(&chunks, &mut codes, opts)?,
                Kind::Int32 | Kind::Int64 => {
                    Dictionary::Integers(merge_integers(&chunks, &mut codes))
                }
                Kind::Date => Dictionary::Times {
                    step: TimeStep::Days,
                    values: merge_integers(&chunks, &mut codes),
                },
                Kind::Timestamp(step) => Dictionary::Times {
                    step,
                    values: merge_integers(&chunks, &mut codes),
                },
            };
            Some(CodedColumn {
                name: columns[slot].clone(),
                dictionary,
                codes,
            })
        })
        .collect();
    Ok(merged.map(|columns| (columns, rows)))
}
