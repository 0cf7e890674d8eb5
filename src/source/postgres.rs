//! PostgreSQL as a source: `postgresql://user@host:port/db` with a table or a query.
//!
//! A class table is computed by the server (`linkrisk sql`'s PostgreSQL statement) and only its
//! cells come back. What needs records (a frame for generalisation, joins, listings) fetches
//! only the named columns, each cast to text on the server (values compared as text, an empty
//! text missing, as the other readers do), through binary `COPY`, after the row count is checked
//! against the memory budget. Credentials come from the URL, `PGPASSWORD` or `~/.pgpass`; TLS is
//! negotiated as libpq's `sslmode` says (`prefer` by default; `require`, `verify-ca` and
//! `verify-full` insist on it) and the server's certificate is always verified against the
//! system's roots, host name included. The password is never shown: the source is named by
//! user, host, port, database and table.

use std::str::FromStr;
use std::sync::Arc;

use futures_util::StreamExt;
use polars::prelude::*;
use tokio_postgres::binary_copy::BinaryCopyOutStream;
use tokio_postgres::types::Type;

use super::sql::{Dialect, Records};
use crate::Result;

/// A PostgreSQL table or query.
#[derive(Clone)]
pub struct Postgres {
    config: tokio_postgres::Config,
    records: Records,
    /// How messages and reports name it: `postgresql://user@host:port/db table T`.
    shown: String,
}

impl std::fmt::Debug for Postgres {
    // The configuration holds the password: only the name is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Whether `text` is a PostgreSQL URL.
pub fn is_url(text: &str) -> bool {
    text.starts_with("postgresql://") || text.starts_with("postgres://")
}

impl Postgres {
    /// The source at `url` (a `postgresql://` URL), reading `records`.
    pub fn open(url: &str, records: Records) -> Result<Postgres> {
        // TLS is always verified against the system's roots, host name included (libpq's
        // verify-full): verify-ca and verify-full ask for TLS, as require does.
        let url = url
            .replace("sslmode=verify-full", "sslmode=require")
            .replace("sslmode=verify-ca", "sslmode=require");
        let url = url.as_str();
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            crate::invalid!(
                "{} is not a PostgreSQL URL (postgresql://user@host:port/database): {}",
                crate::escape::name(&crate::escape::redact_url(url)),
                first_line(&e.to_string())
            )
        })?;
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .or_else(|_| std::env::var("USER"))
                .unwrap_or_else(|_| "postgres".into());
            config.user(&user);
        }
        let user = config.get_user().unwrap_or_default().to_string();
        if config.get_dbname().is_none() {
            let db = std::env::var("PGDATABASE").unwrap_or_else(|_| user.clone());
            config.dbname(&db);
        }
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(p)) => p.to_string_lossy().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let db = config.get_dbname().unwrap_or_default().to_string();
        if config.get_password().is_none() {
            if let Ok(password) = std::env::var("PGPASSWORD") {
                config.password(password);
            } else if let Some(password) = pgpass(&host, port, &db, &user) {
                config.password(password);
            }
        }
        let shown = format!(
            "postgresql://{user}@{host}:{port}/{db} {}",
            records.describe()
        );
        Ok(Postgres {
            config,
            records,
            shown,
        })
    }

    /// How messages and reports name the source (never with the password).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The `FROM` item of the records, named `src`.
    fn records_item(&self) -> String {
        self.records.from_item(Dialect::Postgres)
    }

    /// Runs `work` with a connected client, on a runtime of its own; every error is one line
    /// naming the source.
    fn with_client<T>(
        &self,
        work: impl AsyncFnOnce(&tokio_postgres::Client) -> std::result::Result<T, tokio_postgres::Error>,
    ) -> Result<T> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::invalid!("{}: cannot start the client: {e}", self.shown))?;
        runtime.block_on(async {
            let tls = tls()?;
            let wait = super::answer_timeout();
            let (client, connection) = tokio::time::timeout(wait, self.config.connect(tls))
                .await
                .map_err(|_| {
                    crate::invalid!(
                        "{}: the server did not answer in {} s: is it a PostgreSQL server? \
                         (LINKRISK_CONNECT_TIMEOUT sets the wait in seconds)",
                        self.shown,
                        wait.as_secs()
                    )
                })?
                .map_err(|e| self.error(&e))?;
            let driver = tokio::spawn(connection);
            let out = work(&client).await.map_err(|e| self.error(&e));
            drop(client);
            let _ = driver.await;
            out
        })
    }

    /// A client error as one line naming the source: the server's message where it says
    /// nothing of the data, its SQLSTATE class otherwise.
    fn error(&self, e: &tokio_postgres::Error) -> crate::Error {
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            // Class 22 (data exceptions) may quote a value of the data.
            let message = if code.starts_with("22") {
                "the statement failed on a value of the data".to_string()
            } else {
                first_line(db.message())
            };
            return crate::invalid!("{}: {message} (SQLSTATE {code})", self.shown);
        }
        let text = first_line(&e.to_string());
        let cause = std::error::Error::source(e)
            .map(|s| format!(": {}", first_line(&s.to_string())))
            .unwrap_or_default();
        crate::invalid!("{}: {text}{cause}", self.shown)
    }

    /// The columns of the records, in order.
    pub fn column_names(&self) -> Result<Vec<String>> {
        let sql = format!("SELECT * FROM {} LIMIT 0", self.records_item());
        self.with_client(async |client| {
            let statement = client.prepare(&sql).await?;
            Ok(statement
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect())
        })
    }

    /// The number of records.
    pub fn rows(&self) -> Result<u64> {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM {}",
            self.records_item()
        );
        self.with_client(async |client| {
            let row = client.query_one(&sql, &[]).await?;
            Ok(row.get::<_, i64>(0).max(0) as u64)
        })
    }

    /// The records as statements read them.
    pub(super) fn records(&self) -> &Records {
        &self.records
    }

    /// The result of `sql`, a class table's statement, as a frame of text columns and 64-bit
    /// counts.
    pub(super) fn class_cells(&self, sql: &str) -> Result<DataFrame> {
        let timer = crate::timing::Timer::start();
        let cells = self.with_client(async |client| {
            let statement = client.prepare(sql).await?;
            let names: Vec<String> = statement
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect();
            let rows = client.query(&statement, &[]).await?;
            let mut columns: Vec<Column> = Vec::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                let counted =
                    [super::RECORDS_COLUMN, super::PEOPLE_COLUMN].contains(&name.as_str());
                columns.push(if counted {
                    let values: Vec<i64> = rows.iter().map(|r| r.get::<_, i64>(i)).collect();
                    Column::new(name.as_str().into(), values)
                } else {
                    let values: Vec<Option<String>> =
                        rows.iter().map(|r| r.get::<_, Option<String>>(i)).collect();
                    Column::new(name.as_str().into(), values)
                });
            }
            Ok(DataFrame::new_infer_height(columns).expect("columns of one length"))
        })?;
        timer.lap(&format!(
            "postgres: class table computed by the server, {} cells, {} bytes received",
            cells.height(),
            payload(&cells)
        ));
        Ok(cells)
    }

    /// The rows of `select` (whose columns are `names`, all text) through binary `COPY`.
    pub(super) fn fetch(&self, select: &str, names: &[String]) -> Result<DataFrame> {
        let sql = format!("COPY ({select}) TO STDOUT (FORMAT binary)");
        let types = vec![Type::TEXT; names.len()];
        let timer = crate::timing::Timer::start();
        let values = self.with_client(async |client| {
            let stream = client.copy_out(&sql).await?;
            let rows = BinaryCopyOutStream::new(stream, &types);
            let mut rows = std::pin::pin!(rows);
            let mut values: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
            while let Some(row) = rows.next().await {
                let row = row?;
                for (i, column) in values.iter_mut().enumerate() {
                    column.push(row.get::<Option<&str>>(i).map(str::to_string));
                }
            }
            Ok(values)
        })?;
        let columns: Vec<Column> = names
            .iter()
            .zip(values)
            .map(|(n, v)| Column::new(n.as_str().into(), v))
            .collect();
        let df = DataFrame::new_infer_height(columns)?;
        timer.lap(&format!(
            "postgres: {} columns of {} rows fetched, {} bytes received",
            names.len(),
            df.height(),
            payload(&df)
        ));
        Ok(df)
    }
}

/// The bytes a result's rows take on the wire in PostgreSQL's binary form: per row a 2-byte
/// field count, per field a 4-byte length and its bytes (a text's UTF-8, 8 for a bigint, none
/// for NULL).
fn payload(df: &DataFrame) -> u64 {
    let rows = df.height() as u64;
    let mut bytes = 2 * rows;
    for column in df.columns() {
        bytes += 4 * rows;
        bytes += match column.dtype() {
            DataType::String => column
                .str()
                .map(|s| s.iter().flatten().map(|v| v.len() as u64).sum())
                .unwrap_or(0),
            _ => 8 * (rows - column.null_count() as u64),
        };
    }
    bytes
}

/// A rustls connector with the system's roots and the ring provider (installed explicitly:
/// the process may hold more than one provider).
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| crate::invalid!("TLS: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The password for `host:port:db:user` in `~/.pgpass` (or `PGPASSFILE`), as libpq reads it:
/// the first line whose four fields match, `*` matching anything, `\:` and `\\` escaped.
fn pgpass(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let path = match std::env::var_os("PGPASSFILE") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".pgpass"),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let port = port.to_string();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() != 5 {
            continue;
        }
        let matches = |field: &str, value: &str| field == "*" || field == value;
        if matches(&fields[0], host)
            && matches(&fields[1], &port)
            && matches(&fields[2], db)
            && matches(&fields[3], user)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

/// A `.pgpass` line's fields: split at `:`, with `\:` and `\\` escaped.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

fn first_line(text: &str) -> String {
    crate::escape::line(text.lines().next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_split_with_escapes() {
        assert_eq!(
            split_pgpass(r"db\:host:5432:*:me:pa\:ss\\w"),
            vec!["db:host", "5432", "*", "me", "pa:ss\\w"]
        );
    }

    #[test]
    fn the_password_is_never_in_the_name() {
        let pg = Postgres::open(
            "postgresql://alice:s3cret@db.example:6543/crm",
            Records::Table("loyalty".into()),
        )
        .unwrap();
        assert_eq!(
            pg.shown(),
            "postgresql://alice@db.example:6543/crm table loyalty"
        );
        assert!(!format!("{pg:?}").contains("s3cret"));
    }
}
