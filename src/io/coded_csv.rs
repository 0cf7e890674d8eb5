//! A direct path from delimited text to dictionary codes, for the commands that only need the
//! codes of a few columns (`scan` without `--show-values` or a population table, `keys`).
//!
//! Going through a polars frame first materialises every value as a string (or a categorical
//! through a global string cache) and then walks the file a second time to check its shape. This
//! reader does both in one pass over the bytes, on every core: the file is cut into blocks at
//! line ends; each worker splits its blocks at delimiters and newlines (`memchr2`), checks the
//! field count of every line, and looks each wanted field up in its own dictionary of raw byte
//! strings. At the end the workers' dictionaries are merged into one per column — this is where
//! `--strip` and `--null-values` apply, once per distinct value rather than once per row — and
//! every block's codes are renumbered into the final columns.
//!
//! It handles the plain case only and says so by returning `None`: a quote character anywhere,
//! a value that is not UTF-8, standard input or another pipe, gzip, a header that is not a plain list of unique
//! names, a missing column or no data rows. The caller then takes the polars path, which also
//! words the error when there is one. Where both paths apply they give the same values: empty
//! fields are missing, a trailing `\r` is not part of the last field, and a blank line (empty,
//! or only spaces and `\r`) is not a record; the polars path drops blank lines before polars
//! sees them (tests/coded_csv.rs checks the two paths against each other on random files).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::bail;
use hashbrown::HashMap;

use super::coded::{CodedColumn, Dictionary, DictionaryBuilder};
use super::{InputFormat, LoadOptions, format_from_path, sniff_delimiter};
use crate::Result;

/// Bytes read per block; every block but the last ends at a line end.
const BLOCK: usize = 8 << 20;

/// Where one block's codes are: numbered in its worker's dictionaries, appended to its
/// worker's code columns.
struct BlockCodes {
    worker: usize,
    /// Lines in the block (blank lines included), to number lines in errors.
    lines: usize,
    /// The block's records: `first..first + records` of its worker's code columns.
    first: usize,
    records: usize,
    /// The first line (within the block, 0-based) whose field count is wrong, and that count.
    ragged: Option<(usize, usize)>,
    /// The first line (within the block, 0-based) longer than the line bound.
    long: Option<usize>,
}

/// One worker's dictionaries: raw field bytes → local code (`1..`).
///
/// Values of at most 15 bytes — nearly every value of a QI — are looked up as one `u128` (the
/// bytes and their length), so a lookup hashes two words and compares two words, with no
/// pointer to a separately allocated key to chase. Longer values use a map of byte strings.
///
/// A value written as a plain decimal integer below a million (no sign, no leading zero) — ZIP
/// codes, ages, amounts — skips hashing altogether: its number indexes a table of codes.
struct Dictionaries {
    short: Vec<HashMap<u128, u32>>,
    long: Vec<HashMap<Vec<u8>, u32>>,
    /// Per column, number → local code (`0`: not seen yet), grown to the largest number seen.
    integers: Vec<Vec<u32>>,
    values: Vec<Vec<Vec<u8>>>,
}

impl Dictionaries {
    fn new(columns: usize) -> Dictionaries {
        Dictionaries {
            short: (0..columns).map(|_| HashMap::new()).collect(),
            long: (0..columns).map(|_| HashMap::new()).collect(),
            integers: vec![Vec::new(); columns],
            values: vec![Vec::new(); columns],
        }
    }

    /// The local code of a value; the empty string is a value like any other.
    #[inline]
    fn code(&mut self, column: usize, raw: &[u8]) -> u32 {
        if raw.len() < 16 {
            let mut padded = [0u8; 16];
            padded[..raw.len()].copy_from_slice(raw);
            return self.code_short(
                column,
                short_key(u128::from_le_bytes(padded), raw.len()),
                raw,
            );
        }
        if let Some(&code) = self.long[column].get(raw) {
            return code;
        }
        let values = &mut self.values[column];
        values.push(raw.to_vec());
        let code = values.len() as u32;
        self.long[column].insert(raw.to_vec(), code);
        code
    }

    /// The local code of `raw`, the canonical decimal form of `number` (see
    /// [`canonical_integer`]): a table lookup, hashing only the first time a number is seen.
    /// Canonical forms and numbers correspond one to one, so the table never gives two
    /// strings one code.
    #[inline]
    fn code_integer(&mut self, column: usize, number: u32, raw: &[u8]) -> u32 {
        let at = number as usize;
        if let Some(&code) = self.integers[column].get(at)
            && code != 0
        {
            return code;
        }
        let code = self.code(column, raw);
        let table = &mut self.integers[column];
        if table.len() <= at {
            table.resize(at + 1, 0);
        }
        table[at] = code;
        code
    }

    /// The local code of a value of under 16 bytes, `raw`, whose [`short_key`] is `key`.
    #[inline]
    fn code_short(&mut self, column: usize, key: u128, raw: &[u8]) -> u32 {
        let values = &mut self.values[column];
        *self.short[column].entry(key).or_insert_with(|| {
            values.push(raw.to_vec());
            values.len() as u32
        })
    }
}

/// The dictionary key of a value of `len < 16` bytes whose bytes start `window` (read little
/// endian; what follows them is masked off): the bytes, then the length in the top byte.
#[inline]
fn short_key(window: u128, len: usize) -> u128 {
    (window & ((1u128 << (len * 8)) - 1)) | ((len as u128) << 120)
}

/// The number a field of at most six digits spells, when it is written canonically: digits
/// only, and no leading zero unless the number is zero itself (so that `7` and `007`, which
/// are different values, are never taken for one).
#[inline]
fn canonical_integer(raw: &[u8]) -> Option<u32> {
    if raw.is_empty() || raw.len() > 6 || (raw[0] == b'0' && raw.len() > 1) {
        return None;
    }
    let mut number = 0u32;
    for &byte in raw {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        number = number * 10 + digit as u32;
    }
    Some(number)
}

/// Reads the lines of one block of the file, the bytes `start..end` (`start > 0`): the lines
/// whose first byte lies in the block, the last one read to its end even past the block. The
/// byte before `start` tells whether a line begins at `start`. Returns where those lines lie
/// in `buffer` (empty when no line begins in the block), or `None` when the last line runs on
/// past `max_line_bytes`: no more than that is read of it.
fn read_block_lines(
    file: &mut File,
    std::ops::Range { start, end }: std::ops::Range<u64>,
    buffer: &mut Vec<u8>,
    max_line_bytes: usize,
) -> std::io::Result<Option<std::ops::Range<usize>>> {
    let from = start - 1;
    buffer.clear();
    file.seek(SeekFrom::Start(from))?;
    file.by_ref().take(end - from).read_to_end(buffer)?;
    let Some(first) = memchr::memchr(b'\n', buffer).map(|at| at + 1) else {
        return Ok(Some(0..0));
    };
    if first < buffer.len() && buffer.last() != Some(&b'\n') {
        // The last line goes on past the block.
        let last_start = memchr::memrchr(b'\n', buffer).map_or(0, |at| at + 1);
        loop {
            let before = buffer.len();
            file.by_ref().take(1 << 16).read_to_end(buffer)?;
            if let Some(at) = memchr::memchr(b'\n', &buffer[before..]) {
                buffer.truncate(before + at + 1);
                break;
            }
            if buffer.len() == before {
                break;
            }
            if buffer.len() - last_start > max_line_bytes {
                return Ok(None);
            }
        }
    }
    Ok(Some(first..buffer.len()))
}

/// The shape of the records and where the wanted columns sit.
struct Layout {
    delimiter: u8,
    fields: usize,
    /// Per field position, the index of the wanted column it feeds.
    slot_of_field: Vec<Option<usize>>,
    wanted: usize,
    /// The most bytes a line may hold (`--max-line-bytes`).
    max_line_bytes: usize,
}

impl Layout {
    /// Codes the records of `block` (whole lines; the last may lack its newline), appending
    /// one code per record to each of `codes`, the worker's code columns.
    fn code_block(
        &self,
        block: &[u8],
        worker: usize,
        dicts: &mut Dictionaries,
        codes: &mut [Vec<u32>],
    ) -> BlockCodes {
        let first = codes.first().map_or(0, Vec::len);
        let mut out = BlockCodes {
            worker,
            lines: 0,
            first,
            records: 0,
            ragged: None,
            long: None,
        };
        let mut field = 0usize;
        let mut start = 0usize;
        let mut line_start = 0usize;
        for at in memchr::memchr2_iter(self.delimiter, b'\n', block) {
            if block[at] == self.delimiter {
                self.field(block, start, at, field, dicts, codes);
                field += 1;
            } else {
                if at - line_start > self.max_line_bytes && out.long.is_none() {
                    out.long = Some(out.lines);
                }
                self.end_line(block, start..at, field, dicts, codes, &mut out);
                field = 0;
                line_start = at + 1;
            }
            start = at + 1;
        }
        if start < block.len() || field > 0 {
            // The last line of the file, without a newline.
            if block.len() - line_start > self.max_line_bytes && out.long.is_none() {
                out.long = Some(out.lines);
            }
            self.end_line(block, start..block.len(), field, dicts, codes, &mut out);
        }
        // A ragged line may have pushed codes for some columns only; the error is reported
        // before any code is used.
        out.records = codes.first().map_or(0, Vec::len) - first;
        out
    }

    /// One field, `block[start..end]`.
    #[inline]
    fn field(
        &self,
        block: &[u8],
        start: usize,
        end: usize,
        field: usize,
        dicts: &mut Dictionaries,
        codes: &mut [Vec<u32>],
    ) {
        if let Some(Some(slot)) = self.slot_of_field.get(field) {
            let len = end - start;
            // An empty field is a missing value.
            let raw = &block[start..end];
            let code = if len == 0 {
                0
            } else if let Some(number) = canonical_integer(raw) {
                dicts.code_integer(*slot, number, raw)
            } else if len < 16 && start + 16 <= block.len() {
                // Read the 16 bytes at the field in one load and mask off what follows it,
                // rather than copying the field into a buffer first.
                let window = u128::from_le_bytes(block[start..start + 16].try_into().unwrap());
                dicts.code_short(*slot, short_key(window, len), raw)
            } else {
                dicts.code(*slot, raw)
            };
            codes[*slot].push(code);
        }
    }

    /// The last field of a line (`block[start..end]`, after `field` delimiters), then the
    /// line's end.
    fn end_line(
        &self,
        block: &[u8],
        std::ops::Range { start, end }: std::ops::Range<usize>,
        field: usize,
        dicts: &mut Dictionaries,
        codes: &mut [Vec<u32>],
        out: &mut BlockCodes,
    ) {
        let end = if end > start && block[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        // A line of nothing but spaces and `\r` is blank: not a record, on both paths.
        let blank = field == 0 && block[start..end].iter().all(|&b| b == b'\r' || b == b' ');
        if !blank {
            self.field(block, start, end, field, dicts, codes);
            if field + 1 != self.fields && out.ragged.is_none() {
                out.ragged = Some((out.lines, field + 1));
            }
        }
        out.lines += 1;
    }
}

/// Reads the named columns of a plain delimited file as dictionary codes, or `None` when the
/// file is not plain enough for this reader (see the module documentation).
pub fn read_coded(
    path: &str,
    columns: &[String],
    opts: &LoadOptions,
) -> Result<Option<(Vec<CodedColumn>, usize)>> {
    read_coded_in_blocks(path, columns, opts, BLOCK)
}

/// [`read_coded`], cutting the file into blocks of `block` bytes.
fn read_coded_in_blocks(
    path: &str,
    columns: &[String],
    opts: &LoadOptions,
    block: usize,
) -> Result<Option<(Vec<CodedColumn>, usize)>> {
    let format = opts.format.or_else(|| format_from_path(path));
    if path == "-" || path.ends_with(".gz") || format != Some(InputFormat::Csv) {
        return Ok(None);
    }
    // Blocks are read at their offsets, which a pipe does not have. (Asked before opening: a
    // pipe opened and closed unread could lose its writer.)
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let Ok(mut file) = File::open(path) else {
        return Ok(None);
    };
    // The header line.
    let mut pending: Vec<u8> = Vec::with_capacity(BLOCK + 4096);
    let max_line_bytes = opts.max_line_bytes() as usize;
    let header_end = loop {
        if let Some(at) = memchr::memchr(b'\n', &pending) {
            break at;
        }
        if pending.len() > max_line_bytes {
            break pending.len();
        }
        let before = pending.len();
        pending.resize(before + 65536, 0);
        let n = file.read(&mut pending[before..])?;
        pending.truncate(before + n);
        if n == 0 {
            // A header without a data line.
            return Ok(None);
        }
    };
    if header_end > max_line_bytes {
        // The polars path's shape check names the line.
        return Ok(None);
    }
    let mut header = &pending[..header_end];
    if header.last() == Some(&b'\r') {
        header = &header[..header.len() - 1];
    }
    // A quote, a blank header or a lone carriage return (old Mac line ends): the polars path
    // reads or refuses it with its message.
    if header.contains(&b'"')
        || header.contains(&b'\r')
        || header.iter().all(|b| b.is_ascii_whitespace())
    {
        return Ok(None);
    }
    let delimiter = opts
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(header, path));
    let Ok(names) = header
        .split(|&b| b == delimiter)
        .map(|n| std::str::from_utf8(n).map(str::to_string))
        .collect::<std::result::Result<Vec<String>, _>>()
    else {
        return Ok(None);
    };
    // Two columns of one name: which one a QI means is anybody's guess.
    for (i, name) in names.iter().enumerate() {
        if let Some(first) = names[..i].iter().position(|n| n == name) {
            crate::bail!("{}", crate::escape::duplicated_column(path, first, i));
        }
    }
    let mut slot_of_field = vec![None; names.len()];
    for (slot, wanted) in columns.iter().enumerate() {
        let mut at = names.iter().enumerate().filter(|(_, n)| *n == wanted);
        match (at.next(), at.next()) {
            (Some((field, _)), None) if slot_of_field[field].is_none() => {
                slot_of_field[field] = Some(slot)
            }
            _ => return Ok(None),
        }
    }
    let layout = Layout {
        delimiter,
        fields: names.len(),
        slot_of_field,
        wanted: columns.len(),
        max_line_bytes,
    };
    drop(pending);
    let file_len = file.metadata()?.len();
    let data_start = header_end as u64 + 1;
    let block_count = file_len.saturating_sub(data_start).div_ceil(block as u64) as usize;

    // Each worker claims the next block, reads it with its own file handle and codes it: the
    // reading, too, is shared out over the cores.
    let threads = rayon::current_num_threads().max(1);
    // A quote anywhere, or a line past the bound read at a block's end: the polars path reads
    // the file (or names the long line).
    let quoted = AtomicBool::new(false);
    let next_block = AtomicUsize::new(0);
    // One task per core on rayon's pool, each with its own file handle, dictionaries and code
    // columns; a task claims the next block from the shared counter, so a core that finishes
    // early takes more blocks. (A task that starts late, after the others took every block,
    // returns empty.)
    let worker_output = (0..threads)
        .into_par_iter()
        .map(|worker| -> Result<_> {
            let mut file = File::open(path)?;
            let mut dicts = Dictionaries::new(layout.wanted);
            let mut blocks = Vec::new();
            // One code column per wanted column for all of this worker's blocks: a few large
            // allocations, which go back to the system when freed.
            let mut codes: Vec<Vec<u32>> = vec![Vec::new(); layout.wanted];
            let mut buffer = Vec::with_capacity(block + (1 << 16));
            loop {
                let index = next_block.fetch_add(1, Ordering::Relaxed);
                if index >= block_count || quoted.load(Ordering::Relaxed) {
                    break;
                }
                let start = data_start + (index * block) as u64;
                let end = (start + block as u64).min(file_len);
                let Some(lines) =
                    read_block_lines(&mut file, start..end, &mut buffer, max_line_bytes)?
                else {
                    quoted.store(true, Ordering::Relaxed);
                    break;
                };
                let text = &buffer[lines];
                if memchr::memchr(b'"', text).is_some() {
                    quoted.store(true, Ordering::Relaxed);
                    break;
                }
                let coded = layout.code_block(text, worker, &mut dicts, &mut codes);
                blocks.push((index, coded));
            }
            Ok((dicts, (blocks, codes)))
        })
        .collect::<Result<Vec<_>>>()?;
    if quoted.load(Ordering::Relaxed) {
        return Ok(None);
    }
    type WorkerOutput = (Vec<(usize, BlockCodes)>, Vec<Vec<u32>>);
    let (dictionaries, outputs): (Vec<Dictionaries>, Vec<WorkerOutput>) =
        worker_output.into_iter().unzip();
    let (blocks, worker_codes): (Vec<_>, Vec<_>) = outputs.into_iter().unzip();
    let mut blocks: Vec<(usize, BlockCodes)> = blocks.into_iter().flatten().collect();
    blocks.sort_unstable_by_key(|(index, _)| *index);

    // A long line or a ragged record: the first in file order, with its line number.
    let mut line = 2; // the header is line 1
    for (_, block) in &blocks {
        if let Some(at) = block.long
            && block.ragged.is_none_or(|(ragged, _)| at <= ragged)
        {
            bail!(
                "{path} line {} is longer than {}; --max-line-bytes raises the bound",
                line + at,
                crate::budget::shown(max_line_bytes as u64)
            );
        }
        if let Some((at, fields)) = block.ragged {
            bail!(
                "{path} line {} has {fields} fields, but the header has {}",
                line + at,
                layout.fields
            );
        }
        line += block.lines;
    }
    let rows: usize = blocks.iter().map(|(_, b)| b.records).sum();
    if rows == 0 || columns.is_empty() {
        return Ok(None);
    }

    // Each column is merged and renumbered on its own, so the columns share out the cores.
    // A column's worker code columns are freed as soon as it is done, so the workers' codes and
    // the final columns are not all alive at once.
    // Per column, each worker's codes of it.
    let mut per_column: Vec<Vec<Vec<u32>>> = vec![Vec::new(); columns.len()];
    for worker in worker_codes {
        for (slot, codes) in worker.into_iter().enumerate() {
            per_column[slot].push(codes);
        }
    }
    let merge_column = |slot: usize, worker_codes: Vec<Vec<u32>>| -> Option<CodedColumn> {
        let (dictionary, remaps) = merge_dictionaries(&dictionaries, slot, opts)?;
        let mut codes = Vec::with_capacity(rows);
        for (_, block) in &blocks {
            let remap = &remaps[block.worker];
            let local = &worker_codes[block.worker][block.first..block.first + block.records];
            codes.extend(local.iter().map(|&c| remap[c as usize]));
        }
        Some(CodedColumn {
            name: columns[slot].clone(),
            dictionary,
            codes,
        })
    };
    // Each column is merged on its own, on whichever core is free.
    let merged: Vec<Option<CodedColumn>> = per_column
        .into_par_iter()
        .enumerate()
        .map(|(slot, worker_codes)| merge_column(slot, worker_codes))
        .collect();
    // A value that is not UTF-8: the polars path words the error.
    Ok(merged
        .into_iter()
        .collect::<Option<Vec<CodedColumn>>>()
        .map(|out| (out, rows)))
}

/// Merges the workers' dictionaries of one column into its final dictionary. Returns the
/// dictionary and, per worker, its local code → final code (`0` for a missing value); `None`
/// when a value is not UTF-8.
fn merge_dictionaries(
    dictionaries: &[Dictionaries],
    slot: usize,
    opts: &LoadOptions,
) -> Option<(Dictionary, Vec<Vec<u32>>)> {
    let mut dictionary = DictionaryBuilder::new(opts);
    let mut remaps: Vec<Vec<u32>> = Vec::with_capacity(dictionaries.len());
    for dicts in dictionaries {
        let mut remap = vec![0u32; dicts.values[slot].len() + 1];
        for (local, raw) in dicts.values[slot].iter().enumerate() {
            remap[local + 1] = dictionary.code(raw)?;
        }
        remaps.push(remap);
    }
    Some((dictionary.finish(), remaps))
}

#[cfg(test)]
mod tests {
    use super::{BLOCK, read_coded_in_blocks};
    use crate::io::LoadOptions;
    use proptest::prelude::*;

    /// Each row's values, decoded, or the error's words.
    fn read_rows(path: &str, block: usize) -> Result<Option<Vec<Vec<String>>>, String> {
        let columns = vec!["a".to_string(), "c".to_string()];
        let read = read_coded_in_blocks(path, &columns, &LoadOptions::default(), block)
            .map_err(|e| e.to_string())?;
        Ok(read.map(|(coded, rows)| {
            (0..rows)
                .map(|row| {
                    coded
                        .iter()
                        .map(|c| {
                            c.dictionary
                                .value(c.codes[row])
                                .unwrap_or_else(|| "<missing>".to_string())
                        })
                        .collect()
                })
                .collect()
        }))
    }

    /// Lines of three fields (sometimes two or four, sometimes blank, sometimes long), with LF
    /// or CRLF ends, and with or without a final line end.
    fn csv_text() -> impl Strategy<Value = String> {
        let field = prop_oneof![Just(String::new()), "[a-c]{1,2}", "[0-9]{1,7}", "x{20,40}",];
        let line = prop_oneof![
            8 => prop::collection::vec(field.clone(), 3..=3),
            1 => prop::collection::vec(field, 2..=4),
            1 => Just(Vec::new()),
            1 => Just(vec!["  ".to_string()]),
        ];
        (
            prop::collection::vec((line, any::<bool>()), 1..40),
            any::<bool>(),
        )
            .prop_map(|(lines, final_end)| {
                let mut text = String::from("a,b,c\n");
                let count = lines.len();
                for (i, (fields, crlf)) in lines.into_iter().enumerate() {
                    text.push_str(&fields.join(","));
                    if i + 1 < count || final_end {
                        text.push_str(if crlf { "\r\n" } else { "\n" });
                    }
                }
                text
            })
    }

    proptest! {
        /// Cutting the file into blocks, however small, changes neither the records read nor
        /// the line an error names.
        #[test]
        fn blocks_of_any_size_read_the_same_records(text in csv_text(), block in 1usize..48) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.csv");
            std::fs::write(&path, &text).unwrap();
            let path = path.to_str().unwrap();
            prop_assert_eq!(read_rows(path, block), read_rows(path, BLOCK));
        }
    }
}
