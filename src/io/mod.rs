//! Loading sources into polars frames.
//!
//! Every format goes through a polars `LazyFrame` so that only the named columns are read
//! (projection pushdown). CSV is read with every column as text: values are compared as the file
//! spells them, as ARX does, and a late non-numeric value can never make the load fail. Gzip and
//! standard input are read into memory first and scanned from that buffer.
//!
//! Commands that only need the codes of a few columns read plain CSV and Parquet files without a
//! frame, straight to dictionary codes ([`coded_csv`], [`coded_parquet`]); whatever those readers
//! do not cover comes here.

pub mod coded;
pub mod coded_csv;
pub mod coded_parquet;
mod footer;
pub mod guard;
pub mod missing;
mod shape;
mod sniff;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::bail;
use crate::error::Context as _;
use polars::prelude::*;

pub use sniff::sniff_delimiter;

use crate::Result;

/// The file formats linkrisk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Delimited text (CSV, TSV, ...), optionally gzip-compressed.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC / Feather v2.
    Ipc,
    /// Newline-delimited JSON.
    Ndjson,
}

/// How to read a source.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Field separator for CSV; sniffed from the header line when `None`.
    pub delimiter: Option<u8>,
    /// Format; chosen from the file extension when `None`.
    pub format: Option<InputFormat>,
    /// Trim surrounding whitespace of string values.
    pub strip: bool,
    /// Extra strings that mean "missing" (compared after stripping).
    pub null_values: Vec<String>,
    /// Text columns to load dictionary-encoded (categorical): 4 bytes a value instead of a
    /// string, for columns that are only compared for equality. They are coded as they
    /// stream, after the missing-value rule.
    pub dictionary: Vec<String>,
    /// The most bytes read into memory from a gzip file, standard input or a pipe; `None` for
    /// the default, the larger of 256 MiB and (for gzip) 100 times the compressed size.
    pub max_decompressed: Option<u64>,
    /// The most bytes one line of delimited text may hold; `None` for the default, 16 MiB.
    pub max_line_bytes: Option<u64>,
}

impl LoadOptions {
    /// The line bound in force.
    pub fn max_line_bytes(&self) -> u64 {
        self.max_line_bytes.unwrap_or(DEFAULT_MAX_LINE_BYTES)
    }
}

/// The default bound on bytes read into memory from a stream or decompressed.
pub const DEFAULT_MAX_STREAM_BYTES: u64 = 256 << 20;

/// The default bound on one line of delimited text.
pub const DEFAULT_MAX_LINE_BYTES: u64 = 16 << 20;

/// Reads `reader` whole, refusing it once it passes `limit` bytes (a gzip bomb, an endless
/// stream): the check runs while reading, so no more than `limit + 1` bytes are ever held.
fn read_bounded(reader: impl Read, limit: u64, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what}"))?;
    if bytes.len() as u64 > limit {
        bail!(
            "{what} holds more than {} once read (decompressed); --max-decompressed-bytes raises the bound",
            crate::budget::shown(limit)
        );
    }
    Ok(bytes)
}

/// The named columns of a source, read the cheapest way the source allows.
pub enum SourceColumns {
    /// Straight to dictionary codes, from a plain CSV or Parquet file ([`coded_csv`],
    /// [`coded_parquet`]): the columns in the order asked, and the row count.
    Coded(Vec<coded::CodedColumn>, usize),
    /// Through a polars frame ([`load`]), for everything those readers do not cover; the
    /// columns named in `opts.dictionary` are read dictionary-encoded.
    Frame(DataFrame),
}

/// Reads the named columns of `path`: the one place that picks a reader for a source.
pub fn read_columns(path: &str, names: &[String], opts: &LoadOptions) -> Result<SourceColumns> {
    let coded = match coded_csv::read_coded(path, names, opts)? {
        Some(coded) => Some(coded),
        None => coded_parquet::read_coded(path, names, opts)?,
    };
    Ok(match coded {
        Some((columns, rows)) => SourceColumns::Coded(columns, rows),
        None => SourceColumns::Frame(load(path, names, opts)?),
    })
}

/// The size and SHA-256 (hex) of a regular file's bytes, read in blocks; `None` for standard
/// input, a pipe or anything else read only once.
pub fn fingerprint(path: &Path) -> Result<Option<(u64, String)>> {
    use sha2::{Digest, Sha256};
    if path == Path::new("-") || !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(None);
    }
    let shown = crate::escape::path(path);
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read {shown}"))?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut block)
            .with_context(|| format!("cannot read {shown}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
        bytes += n as u64;
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok(Some((bytes, hex)))
}

/// Refuses a directory, a device or a socket: `what` is not a `noun` (a device has no end,
/// /dev/zero: reading it whole never finishes).
fn refuse_special(meta: &std::fs::Metadata, what: &str, noun: &str) -> Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if meta.is_dir() {
        bail!("{what} is a directory, not a {noun}");
    }
    if kind.is_char_device() || kind.is_block_device() || kind.is_socket() {
        bail!("{what} is a device or socket, not a {noun}");
    }
    Ok(())
}

/// Reads a small text file whole (a plan, a hierarchy): refused when it is a directory, a
/// device, not UTF-8, or longer than the stream bound (256 MiB). `what` names it in errors,
/// e.g. "hierarchy file h.csv".
pub fn read_text(path: &Path, what: &str) -> Result<String> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {what}"))?;
    refuse_special(&meta, what, "file")?;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {what}"))?;
    let bytes = read_bounded(file, DEFAULT_MAX_STREAM_BYTES, what)?;
    String::from_utf8(bytes).map_err(|_| crate::invalid!("{what} is not UTF-8 text"))
}

/// Refuses a Parquet file whose footer declares lengths it does not hold, before any reader
/// decodes it ([`footer`]).
fn check_parquet_footer(origin: &Origin, path: &str) -> Result<()> {
    let checked = match origin {
        Origin::Path(p) => {
            let mut file = std::fs::File::open(p).with_context(|| format!("cannot read {path}"))?;
            let len = file.metadata()?.len();
            footer::check(&mut file, len)
        }
        Origin::Memory(bytes) => {
            footer::check(&mut std::io::Cursor::new(bytes), bytes.len() as u64)
        }
    };
    checked.map_err(|what| crate::invalid!("{} {what}", crate::escape::path(Path::new(path))))
}

/// The footer check of a Parquet file on disk, for the direct reader.
pub(crate) fn check_parquet_file(path: &str) -> Result<()> {
    check_parquet_footer(&Origin::Path(PathBuf::from(path)), path)
}

/// A fresh categorical type with its own dictionary: codes are dense per column.
pub fn dictionary_dtype() -> DataType {
    DataType::from_categories(Categories::random(
        PlSmallStr::EMPTY,
        CategoricalPhysical::U32,
    ))
}

/// The format implied by a file name, looking through a trailing `.gz`.
pub fn format_from_path(path: &str) -> Option<InputFormat> {
    let name = path
        .strip_suffix(".gz")
        .unwrap_or(path)
        .to_ascii_lowercase();
    let ext = Path::new(&name).extension()?.to_str()?.to_string();
    match ext.as_str() {
        "csv" | "tsv" | "tab" | "txt" | "psv" => Some(InputFormat::Csv),
        "parquet" | "pq" => Some(InputFormat::Parquet),
        "arrow" | "ipc" | "feather" => Some(InputFormat::Ipc),
        "ndjson" | "jsonl" | "json" => Some(InputFormat::Ndjson),
        _ => None,
    }
}

/// Where the bytes come from.
enum Origin {
    Path(PathBuf),
    Memory(Vec<u8>),
}

fn open_origin(path: &str, opts: &LoadOptions) -> Result<Origin> {
    let stream_limit = opts.max_decompressed.unwrap_or(DEFAULT_MAX_STREAM_BYTES);
    if path == "-" {
        let bytes = read_bounded(std::io::stdin(), stream_limit, "standard input")?;
        return Ok(Origin::Memory(bytes));
    }
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {path}"))?;
    refuse_special(&meta, path, "data file")?;
    if !meta.is_file() {
        // A pipe (`<(command)`): read once, as standard input is.
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {path}"))?;
        return Ok(Origin::Memory(read_bounded(file, stream_limit, path)?));
    }
    if meta.len() == 0 {
        bail!("{path} is empty");
    }
    if path.ends_with(".gz") {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {path}"))?;
        let limit = opts
            .max_decompressed
            .unwrap_or_else(|| DEFAULT_MAX_STREAM_BYTES.max(meta.len().saturating_mul(100)));
        let mut bytes = Vec::new();
        flate2::read::MultiGzDecoder::new(file)
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("{path} is not a valid gzip file"))?;
        if bytes.len() as u64 > limit {
            bail!(
                "{path} decompresses to more than {}; --max-decompressed-bytes raises the bound",
                crate::budget::shown(limit)
            );
        }
        return Ok(Origin::Memory(bytes));
    }
    Ok(Origin::Path(PathBuf::from(path)))
}

fn sources(origin: Origin) -> ScanSources {
    match origin {
        Origin::Path(p) => ScanSources::Paths(
            [PlRefPath::new(p.to_string_lossy().as_ref())]
                .into_iter()
                .collect(),
        ),
        Origin::Memory(bytes) => ScanSources::Buffers(Arc::from([bytes.into()])),
    }
}

fn first_line(origin: &Origin) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(8192);
    match origin {
        Origin::Path(p) => {
            std::fs::File::open(p)?.take(65536).read_to_end(&mut head)?;
        }
        Origin::Memory(bytes) => head.extend_from_slice(&bytes[..bytes.len().min(65536)]),
    }
    let end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    head.truncate(end);
    Ok(head)
}

/// Opens `path` lazily in its format. `path` may be `-` for CSV on standard input. Like every
/// reader here it does not catch polars' panics: [`crate::source::Source`] guards each read.
pub fn scan(path: &str, opts: &LoadOptions) -> Result<LazyFrame> {
    let format = match opts.format {
        Some(f) => f,
        None if path == "-" => InputFormat::Csv,
        None => format_from_path(path).with_context(|| {
            format!("cannot tell the format of {path} from its extension; pass --input-format")
        })?,
    };
    let mut origin = open_origin(path, opts)?;
    if let Origin::Memory(bytes) = &origin
        && bytes.is_empty()
    {
        bail!("{path} is empty");
    }
    let delimiter = if format == InputFormat::Csv {
        let head = first_line(&origin).with_context(|| format!("cannot read {path}"))?;
        if head.iter().all(|b| b.is_ascii_whitespace()) {
            bail!("{path} has no header line");
        }
        // Lines ended by a lone carriage return (old Mac files) would read as one header line
        // holding every value.
        if head.strip_suffix(b"\r").unwrap_or(&head).contains(&b'\r') {
            bail!(
                "{path} ends its lines with a lone carriage return; linkrisk reads \\n or \\r\\n line ends (convert it with: tr '\\r' '\\n')"
            );
        }
        let delimiter = opts
            .delimiter
            .unwrap_or_else(|| sniff_delimiter(&head, path));
        let max_line = opts.max_line_bytes();
        let shape = match &origin {
            Origin::Path(p) => {
                shape::check_field_counts(std::fs::File::open(p)?, delimiter, path, max_line)?
            }
            Origin::Memory(bytes) => {
                shape::check_field_counts(bytes.as_slice(), delimiter, path, max_line)?
            }
        };
        // Polars reads a blank line as a record of missing values; it is not a record. The
        // rare file that has blank lines is read into memory without them.
        if shape.blank_lines > 0 {
            let kept = match &origin {
                Origin::Path(p) => {
                    // The file and its copy without blank lines are held at once.
                    let size = std::fs::metadata(p)?.len();
                    crate::budget::check(size.saturating_mul(2), || {
                        format!("reading {} without its blank lines", crate::escape::path(p))
                    })?;
                    shape::without_blank_lines(
                        &std::fs::read(p).with_context(|| format!("cannot read {path}"))?,
                    )
                }
                Origin::Memory(bytes) => shape::without_blank_lines(bytes),
            };
            origin = Origin::Memory(kept);
        }
        delimiter
    } else {
        b','
    };
    if format == InputFormat::Parquet {
        check_parquet_footer(&origin, path)?;
    }
    let src = sources(origin);
    let lf = match format {
        InputFormat::Csv => {
            // Every column is read as text, dictionary columns included: the missing-value
            // rule must see the text (a quoted `""` is missing) before `load` codes it.
            LazyCsvReader::new_with_sources(src)
                .with_separator(delimiter)
                .with_has_header(true)
                // Every column as text: see the module documentation.
                .with_infer_schema_length(Some(0))
                .with_raise_if_empty(true)
                .finish()
        }
        InputFormat::Parquet => LazyFrame::scan_parquet_sources(src, Default::default()),
        InputFormat::Ipc => {
            LazyFrame::scan_ipc_sources(src, Default::default(), Default::default())
        }
        // The schema from every line: a key that first appears late is still a column.
        InputFormat::Ndjson => LazyJsonLineReader::new_with_sources(src)
            .with_infer_schema_length(None)
            .finish(),
    };
    lf.map_err(|e| in_user_terms(path, e))
}

/// A polars error reading `path`, in the user's terms: what is wrong with the file, not which
/// part of polars noticed. Polars' own words are never shown: they name its internals and may
/// quote the data ("ExpectedNull at character 0 ('n')").
pub fn in_user_terms(path: &str, err: PolarsError) -> crate::Error {
    let shown = crate::escape::path(std::path::Path::new(path));
    let message = err.to_string();
    let lower = message.to_lowercase();
    let format = format_from_path(path);
    let what = if lower.contains("csv malformed") || lower.contains("unterminated") {
        "is not valid CSV: a quote is not closed, or a record's fields do not match the header"
    } else if lower.contains("utf-8") || lower.contains("utf8") {
        "is not UTF-8 text"
    } else if lower.contains("precision must be between") {
        "has a decimal column of more than 38 digits, which linkrisk cannot read"
    } else if lower.contains("is a directory") || lower.contains("hive") {
        "is a directory, not a data file"
    } else if format == Some(InputFormat::Ndjson) || lower.contains("json") {
        "is not valid NDJSON: one JSON object per line, each key holding one type of value"
    } else if format == Some(InputFormat::Parquet)
        || lower.contains("parquet")
        || lower.contains("footer")
    {
        "is not a valid Parquet file"
    } else if format == Some(InputFormat::Ipc)
        || lower.contains("ipc")
        || lower.contains("flatbuffer")
        || lower.contains("arrow")
    {
        "is not a valid Arrow IPC file"
    } else if format == Some(InputFormat::Csv) {
        "could not be read as delimited text"
    } else {
        "could not be read"
    };
    crate::invalid!("{shown} {what}")
}

/// The column names of a source, in file order.
pub fn column_names(lf: &mut LazyFrame, path: &str) -> Result<Vec<String>> {
    let schema = lf.collect_schema().map_err(|e| in_user_terms(path, e))?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    // polars renames a repeated CSV header name to `NAME_duplicated_N`.
    for (at, name) in names.iter().enumerate() {
        if let Some((original, n)) = name.rsplit_once("_duplicated_")
            && n.parse::<u32>().is_ok()
            && let Some(first) = names.iter().position(|x| x == original)
        {
            bail!("{}", crate::escape::duplicated_column(path, first, at));
        }
    }
    Ok(names)
}

/// Checks that every requested column exists. The error names the missing column and at most
/// one existing name close to it, never the header (in a headerless file it is a data row).
pub fn require_columns(path: &str, existing: &[String], wanted: &[String]) -> Result<()> {
    for name in wanted {
        if !existing.iter().any(|e| e == name) {
            bail!(
                "{}",
                crate::escape::missing_column(path, name, existing.iter().map(String::as_str))
            );
        }
    }
    Ok(())
}

/// Loads the named columns of a source (and only those), applying `--strip` and
/// `--null-values`. Fails when the source has no data rows.
pub fn load(path: &str, columns: &[String], opts: &LoadOptions) -> Result<DataFrame> {
    let timer = crate::timing::Timer::start();
    let mut lf = scan(path, opts)?;
    timer.lap("open and check the file");
    let existing = column_names(&mut lf, path)?;
    require_columns(path, &existing, columns)?;
    let schema = lf.collect_schema().map_err(|e| in_user_terms(path, e))?;
    for name in columns {
        if let Some(dtype) = schema.get(name.as_str())
            && let Some(what) = unmeasurable(dtype)
        {
            bail!(
                "{} column {} holds {what}, which linkrisk does not measure; export it as text or numbers",
                crate::escape::path(Path::new(path)),
                crate::escape::name(name)
            );
        }
    }
    let exprs: Vec<Expr> = columns
        .iter()
        .map(|name| {
            let dtype = schema.get(name.as_str());
            let is_text = matches!(dtype, Some(DataType::String));
            let read = match dtype {
                // Without polars' time-zone database a zoned timestamp cannot be formatted:
                // it is read as the UTC time it stores.
                Some(DataType::Datetime(unit, Some(_))) => col(name.as_str())
                    .to_physical()
                    .cast(DataType::Datetime(*unit, None)),
                // A decimal is compared and ordered as the number it is.
                Some(DataType::Decimal(..)) => col(name.as_str()).cast(DataType::Float64),
                _ => col(name.as_str()),
            };
            let cleaned = clean_text(read, is_text, opts);
            // Equality-only columns become dictionary codes while streaming, so their text is
            // never held in memory whole.
            let value = if is_text && opts.dictionary.contains(name) {
                cleaned.cast(dictionary_dtype())
            } else {
                cleaned
            };
            value.alias(name.as_str())
        })
        .collect();
    let df = lf
        .select(exprs)
        .collect_with_engine(Engine::Streaming)
        // One query, one sink: the result is a single frame.
        .map(|result| result.unwrap_single())
        .map_err(|e| in_user_terms(path, e))?;
    if df.height() == 0 {
        bail!("{path} has no data rows");
    }
    Ok(df)
}

/// What a column of this type holds, in the user's words, when linkrisk cannot measure it:
/// its values have no text or number to compare (lists, structs, binary data, durations).
fn unmeasurable(dtype: &DataType) -> Option<&'static str> {
    match dtype {
        DataType::List(_) => Some("lists"),
        DataType::Array(..) => Some("fixed-size lists"),
        DataType::Struct(_) => Some("structs"),
        DataType::Binary | DataType::BinaryOffset => Some("binary data"),
        DataType::Duration(_) => Some("durations"),
        DataType::Unknown(_) => Some("values of an unknown type"),
        _ => None,
    }
}

/// Applies the missing-value rule ([`missing`]: empty texts, `--strip`, `--null-values`) to a
/// text column; other columns pass through.
fn clean_text(expr: Expr, is_text: bool, opts: &LoadOptions) -> Expr {
    if !is_text {
        return expr;
    }
    missing::MissingValues::new(opts).expr(expr)
}
