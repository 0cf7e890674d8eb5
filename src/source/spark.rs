//! Spark Connect as a source: `sc://host:port` with a table or a query, for data in a Spark
//! lake (Databricks, EMR, Dataproc, or a local Spark Connect server).
//!
//! Each question is one Spark SQL statement sent with `ExecutePlan` (the gRPC protocol of Spark
//! 3.4 and later); the answer streams back as Arrow IPC batches, decoded by polars' IPC stream
//! reader. A class table is computed by Spark (`linkrisk sql --dialect spark`'s statement) and
//! only its cells come back; what needs records fetches only the named columns, cast to text in
//! Spark, after the row count is checked against the memory budget.
//!
//! The connection string follows Spark's own (`sc://host:port/;token=...;use_ssl=true`): a bearer
//! token comes from `token=` or `SPARK_CONNECT_TOKEN` and is never shown. Spark ties a token to
//! TLS; linkrisk does too, except on a loopback host (`localhost`, `127.0.0.1`, `::1`), where a
//! local server without a certificate is the usual case and the token never leaves the machine.
//! A token to any other host without TLS is refused.
//!
//! The protocol's messages are written by hand below (only the fields linkrisk sends or reads,
//! with Spark's field numbers from `spark/connect/base.proto` and `relations.proto`): no
//! `.proto` file, no `protoc` at build time. Unknown fields of a response are skipped.

use std::time::Duration;

use polars::prelude::*;

use super::sql::{Dialect, Records};
use crate::Result;

/// The Spark Connect port when a URL names none.
const DEFAULT_PORT: u16 = 15002;

/// The largest gRPC message accepted: Spark cuts its Arrow batches at 4 MiB by default
/// (`spark.connect.grpc.arrow.maxBatchSize`), a server may be configured higher.
const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// A table or query in a Spark Connect server.
#[derive(Clone)]
pub struct Spark {
    host: String,
    port: u16,
    tls: bool,
    token: Option<String>,
    user_id: String,
    session_id: String,
    records: Records,
    /// How messages and reports name it: `sc://host:port table T` (never with the token).
    shown: String,
}

impl std::fmt::Debug for Spark {
    // The token is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Whether `text` is a Spark Connect URL.
pub fn is_url(text: &str) -> bool {
    text.starts_with("sc://")
}

/// What a connection string says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Endpoint {
    host: String,
    port: u16,
    token: Option<String>,
    use_ssl: Option<bool>,
    user_id: Option<String>,
    session_id: Option<String>,
}

/// Parses `sc://host[:port][/][;key=value...]` as Spark's connection-string document says: the
/// path must be empty, parameters are case sensitive; unknown parameters are refused (a typo
/// in `token` must not connect without one).
fn parse_url(url: &str) -> std::result::Result<Endpoint, String> {
    let rest = url
        .strip_prefix("sc://")
        .ok_or("a Spark Connect URL starts with sc://")?;
    let (address, params) = match rest.find(';') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, ""),
    };
    let address = address.strip_suffix('/').unwrap_or(address);
    if address.contains('/') {
        return Err("a Spark Connect URL has no path (sc://host:port/;param=value)".into());
    }
    let (host, port) = if let Some(v6) = address.strip_prefix('[') {
        let end = v6.find(']').ok_or("an IPv6 host is written [::1]")?;
        let port = v6[end + 1..].strip_prefix(':');
        (v6[..end].to_string(), port)
    } else {
        match address.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (address.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err("the URL names no host".into());
    }
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|&p| p > 0)
            .ok_or("the port is not a number from 1 to 65535")?,
        None => DEFAULT_PORT,
    };
    let mut endpoint = Endpoint {
        host,
        port,
        token: None,
        use_ssl: None,
        user_id: None,
        session_id: None,
    };
    for param in params.split(';').filter(|p| !p.is_empty()) {
        let (key, value) = param
            .split_once('=')
            .ok_or_else(|| "a parameter is written key=value".to_string())?;
        match key {
            "token" => endpoint.token = Some(value.to_string()),
            "use_ssl" => {
                endpoint.use_ssl = Some(match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err("use_ssl is true or false".into()),
                })
            }
            "user_id" => endpoint.user_id = Some(value.to_string()),
            "session_id" => {
                if !is_uuid(value) {
                    return Err("session_id must be a UUID".into());
                }
                endpoint.session_id = Some(value.to_string())
            }
            // Accepted and not needed by linkrisk.
            "user_agent" | "grpc_max_message_size" => {}
            other => {
                return Err(format!(
                    "unknown parameter {} (token, use_ssl, user_id, session_id, user_agent)",
                    crate::escape::name(other)
                ));
            }
        }
    }
    Ok(endpoint)
}

/// Whether `host` is this machine.
fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A random (version 4) UUID: the session a run's statements share.
fn new_uuid() -> String {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

impl Spark {
    /// The source at `url` (an `sc://` URL), reading `records`.
    pub fn open(url: &str, records: Records) -> Result<Spark> {
        let endpoint = parse_url(url).map_err(|why| {
            crate::invalid!(
                "{} is not a Spark Connect URL (sc://host:port/;token=...): {why}",
                crate::escape::name(&crate::escape::redact_url(url))
            )
        })?;
        let token = endpoint.token.clone().or_else(|| {
            std::env::var("SPARK_CONNECT_TOKEN")
                .ok()
                .filter(|t| !t.is_empty())
        });
        let loopback = is_loopback(&endpoint.host);
        let tls = endpoint.use_ssl.unwrap_or(token.is_some() && !loopback);
        let host_port = if endpoint.host.contains(':') {
            format!("[{}]:{}", endpoint.host, endpoint.port)
        } else {
            format!("{}:{}", endpoint.host, endpoint.port)
        };
        if token.is_some() && !tls && !loopback {
            crate::bail!(
                "sc://{host_port}: a token is sent only over TLS to another machine; remove use_ssl=false"
            );
        }
        let user_id = endpoint
            .user_id
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "linkrisk".into());
        Ok(Spark {
            host: endpoint.host,
            port: endpoint.port,
            tls,
            token,
            user_id,
            session_id: endpoint.session_id.unwrap_or_else(new_uuid),
            shown: format!("sc://{host_port} {}", records.describe()),
            records,
        })
    }

    /// How messages and reports name the source (never with the token).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// A session of its own on the server at `url`, for statements that are not about one
    /// table (an audit plan run where its sources live): temporary views and cached tables it
    /// creates last as long as the session, and are seen by its later statements only.
    pub fn session(url: &str) -> Result<Spark> {
        let mut spark = Spark::open(url, Records::Query("SELECT 1".into()))?;
        spark.session_id = new_uuid();
        spark.shown = spark
            .shown
            .strip_suffix(" query")
            .unwrap_or(&spark.shown)
            .to_string();
        Ok(spark)
    }

    /// Whether `other` reaches the same server as the same user: statements of one session
    /// may read both's tables.
    pub fn same_server(&self, other: &Spark) -> bool {
        self.host == other.host
            && self.port == other.port
            && self.tls == other.tls
            && self.token == other.token
            && self.user_id == other.user_id
    }

    /// Runs `sql` in the session; `step` names it in an error and in `LINKRISK_TIMINGS`. Text
    /// comes back as polars strings and every integer as a 64-bit one.
    pub fn run(&self, sql: &str, step: &str) -> Result<DataFrame> {
        text_and_counts(self.execute(sql, step)?)
    }

    /// [`Spark::run`] with the text columns named in `coded` as dictionary codes.
    pub fn run_coded(&self, sql: &str, step: &str, coded: &[String]) -> Result<DataFrame> {
        let df = self
            .execute_coded(sql, step, coded)?
            .ok_or_else(|| crate::invalid!("{} ({step}): the server sent no result", self.shown))?;
        text_and_counts(df)
    }

    /// Runs a command (`CACHE TABLE`, `CREATE TEMPORARY VIEW`) in the session.
    pub fn command(&self, sql: &str, step: &str) -> Result<()> {
        self.execute_frames(sql, step).map(|_| ())
    }

    /// The `FROM` item of the records, named `src`.
    fn records_item(&self) -> String {
        self.records.from_item(Dialect::Spark)
    }

    /// Runs one statement and returns its result, every Arrow batch decoded and stacked.
    fn execute(&self, sql: &str, step: &str) -> Result<DataFrame> {
        self.execute_frames(sql, step)?
            .ok_or_else(|| crate::invalid!("{} ({step}): the server sent no result", self.shown))
    }

    /// Runs one statement: its result, or `None` when the server sent no batch (a command).
    fn execute_frames(&self, sql: &str, step: &str) -> Result<Option<DataFrame>> {
        self.execute_coded(sql, step, &[])
    }

    /// [`Spark::execute_frames`], with the text columns named in `coded` kept as dictionary
    /// codes (one dictionary per column across batches) as each batch arrives: 4 bytes a value
    /// rather than its text.
    fn execute_coded(&self, sql: &str, step: &str, coded: &[String]) -> Result<Option<DataFrame>> {
        let dictionaries: Vec<(&str, DataType)> = coded
            .iter()
            .map(|c| (c.as_str(), crate::io::dictionary_dtype()))
            .collect();
        let timer = crate::timing::Timer::start();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| crate::invalid!("{}: cannot start the client: {e}", self.shown))?;
        let mut frames = Vec::new();
        let mut bytes = 0u64;
        runtime
            .block_on(self.execute_async(sql, |batch| {
                // Each batch is decoded as it arrives, so that its bytes are freed at once.
                bytes += batch.len() as u64;
                let reader = polars::io::ipc::IpcStreamReader::new(std::io::Cursor::new(batch));
                let unreadable = |e: PolarsError| {
                    format!(
                        "an answer is not an Arrow stream linkrisk can read: {}",
                        crate::escape::line(&e.to_string())
                    )
                };
                let mut frame = reader.finish().map_err(unreadable)?;
                for (name, dtype) in &dictionaries {
                    if let Ok(column) = frame.column(name)
                        && column.dtype() == &DataType::String
                    {
                        let codes = column.cast(dtype).map_err(unreadable)?;
                        frame.with_column(codes).map_err(unreadable)?;
                    }
                }
                frames.push(frame);
                Ok(())
            }))
            .map_err(|e| crate::invalid!("{} ({step}): {}", self.shown, e))?;
        let mut frames = frames.into_iter();
        let Some(mut df) = frames.next() else {
            return Ok(None);
        };
        for frame in frames {
            df.vstack_mut_owned(frame)?;
        }
        // `LINKRISK_TIMINGS=1` shows what each statement brought back: the benchmark sums
        // the bytes, and the tests check that a pushed-down step received classes, not records.
        timer.lap(&format!(
            "spark: {step}: {} rows, {bytes} bytes received",
            df.height()
        ));
        Ok(Some(df))
    }

    /// Hands the Arrow IPC stream of each batch of the answer to `sql` to `on_batch`, in
    /// order; an error is one line saying why.
    async fn execute_async(
        &self,
        sql: &str,
        mut on_batch: impl FnMut(Vec<u8>) -> std::result::Result<(), String>,
    ) -> std::result::Result<(), String> {
        // Spark answers with the response headers as soon as it accepts a statement, however
        // long the statement then runs: a peer that has not answered by then is not a Spark
        // Connect server (or is hung), and waiting for it would hang the run.
        let wait = super::answer_timeout();
        let mut stream = tokio::time::timeout(wait, self.open_stream(sql))
            .await
            .map_err(|_| {
                format!(
                    "the server did not answer in {} s: is it a Spark Connect server? \
                     (LINKRISK_CONNECT_TIMEOUT sets the wait in seconds)",
                    wait.as_secs()
                )
            })??;
        // The end of the stream is the end of the result (no reattachable execution asked).
        while let Some(response) = stream.message().await.map_err(|s| status_line(&s))? {
            if let Some(batch) = response.arrow_batch {
                on_batch(batch.data)?;
            }
        }
        Ok(())
    }

    /// Ends the session: the server frees its temporary views and cached tables at once
    /// rather than when the session expires. Best effort (the server frees them then anyway).
    pub fn release(&self) {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        let timer = crate::timing::Timer::start();
        // The timer of `timeout` needs the runtime: it is made inside it.
        let released = runtime.block_on(async {
            tokio::time::timeout(super::answer_timeout(), self.release_async()).await
        });
        timer.lap(&format!(
            "spark: releasing the session: {}",
            match released {
                Ok(Ok(())) => "done".to_string(),
                Ok(Err(e)) => e,
                Err(_) => "no answer".to_string(),
            }
        ));
    }

    /// Sends `ReleaseSession`.
    async fn release_async(&self) -> std::result::Result<(), String> {
        let mut grpc = self.connect().await?;
        let mut request = tonic::Request::new(proto::ReleaseSessionRequest {
            session_id: self.session_id.clone(),
            user_context: Some(self.user_context()),
            client_type: Some(format!("linkrisk/{}", env!("CARGO_PKG_VERSION"))),
        });
        self.authorize(&mut request)?;
        let path = tonic::codegen::http::uri::PathAndQuery::from_static(
            "/spark.connect.SparkConnectService/ReleaseSession",
        );
        let codec = tonic_prost::ProstCodec::<
            proto::ReleaseSessionRequest,
            proto::ReleaseSessionResponse,
        >::default();
        grpc.unary(request, path, codec)
            .await
            .map(|_| ())
            .map_err(|s| status_line(&s))
    }

    /// Who runs the statements.
    fn user_context(&self) -> proto::UserContext {
        proto::UserContext {
            user_id: self.user_id.clone(),
            user_name: self.user_id.clone(),
        }
    }

    /// Adds the bearer token to a request.
    fn authorize<T>(&self, request: &mut tonic::Request<T>) -> std::result::Result<(), String> {
        if let Some(token) = &self.token {
            let value = format!("Bearer {token}")
                .parse()
                .map_err(|_| "the token holds characters a header cannot carry".to_string())?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(())
    }

    /// Connects to the server and waits until it is ready for a call.
    async fn connect(
        &self,
    ) -> std::result::Result<tonic::client::Grpc<tonic::transport::Channel>, String> {
        use tonic::transport::{ClientTlsConfig, Endpoint};
        let scheme = if self.tls { "https" } else { "http" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let mut endpoint = Endpoint::from_shared(format!("{scheme}://{host}:{}", self.port))
            .map_err(|e| format!("not a server address: {e}"))?
            .connect_timeout(Duration::from_secs(20));
        if self.tls {
            endpoint = endpoint
                .tls_config(ClientTlsConfig::new().with_native_roots())
                .map_err(|e| format!("TLS: {e}"))?;
        }
        let channel = endpoint.connect().await.map_err(|e| {
            // The innermost cause says why ("Connection refused", a certificate refused).
            let mut cause: &dyn std::error::Error = &e;
            while let Some(inner) = cause.source() {
                cause = inner;
            }
            format!(
                "cannot reach the server: {}",
                crate::escape::line(&cause.to_string())
            )
        })?;
        let mut grpc =
            tonic::client::Grpc::new(channel).max_decoding_message_size(MAX_MESSAGE_BYTES);
        grpc.ready()
            .await
            .map_err(|e| format!("the server is not ready: {e}"))?;
        Ok(grpc)
    }

    /// Connects, sends `sql` and waits for the answer's headers.
    async fn open_stream(
        &self,
        sql: &str,
    ) -> std::result::Result<tonic::codec::Streaming<proto::ExecutePlanResponse>, String> {
        let mut grpc = self.connect().await?;
        let mut request = tonic::Request::new(proto::ExecutePlanRequest {
            session_id: self.session_id.clone(),
            user_context: Some(self.user_context()),
            plan: Some(proto::Plan {
                root: Some(proto::Relation {
                    sql: Some(proto::Sql {
                        query: sql.to_string(),
                    }),
                }),
            }),
            client_type: Some(format!("linkrisk/{}", env!("CARGO_PKG_VERSION"))),
        });
        self.authorize(&mut request)?;
        let path = tonic::codegen::http::uri::PathAndQuery::from_static(
            "/spark.connect.SparkConnectService/ExecutePlan",
        );
        let codec =
            tonic_prost::ProstCodec::<proto::ExecutePlanRequest, proto::ExecutePlanResponse>::default();
        Ok(grpc
            .server_streaming(request, path, codec)
            .await
            .map_err(|s| status_line(&s))?
            .into_inner())
    }

    /// The columns of the records, in order.
    pub fn column_names(&self) -> Result<Vec<String>> {
        let sql = format!("SELECT * FROM {} LIMIT 0", self.records_item());
        let df = self.execute(&sql, "reading the column names")?;
        Ok(df
            .get_column_names()
            .into_iter()
            .map(|n| n.to_string())
            .collect())
    }

    /// The number of records.
    pub fn rows(&self) -> Result<u64> {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {}",
            self.records_item()
        );
        let df = self.execute(&sql, "counting the records")?;
        let n = df
            .column("n")
            .ok()
            .and_then(|c| c.i64().ok()?.get(0))
            .unwrap_or(0);
        Ok(n.max(0) as u64)
    }

    /// The records as statements read them.
    pub(super) fn records(&self) -> &Records {
        &self.records
    }

    /// The result of `sql`, a class table's statement, as a frame of text columns and 64-bit
    /// counts.
    pub(super) fn class_cells(&self, sql: &str) -> Result<DataFrame> {
        text_and_counts(self.execute(sql, "computing a class table")?)
    }

    /// The rows of `select`, whose columns are all text.
    pub(super) fn fetch(&self, select: &str) -> Result<DataFrame> {
        text_and_counts(self.execute(select, "fetching the named columns")?)
    }
}

/// Spark's text columns as polars strings and its counts as 64-bit integers, whatever Arrow
/// layout the server chose (large strings, string views).
fn text_and_counts(df: DataFrame) -> Result<DataFrame> {
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            Ok(match c.dtype() {
                DataType::String | DataType::Int64 | DataType::Categorical(..) => c.clone(),
                dt if dt.is_integer() => c.cast(&DataType::Int64)?,
                _ => c.cast(&DataType::String)?,
            })
        })
        .collect::<Result<Vec<Column>>>()?;
    Ok(DataFrame::new_infer_height(columns)?)
}

/// A gRPC status as one line: what went wrong in the user's terms, Spark's message where it
/// says nothing of the data.
fn status_line(status: &tonic::Status) -> String {
    use tonic::Code;
    let message = status.message();
    let first = crate::escape::line(message.lines().next().unwrap_or_default());
    match status.code() {
        Code::Unauthenticated | Code::PermissionDenied => {
            "the server refused the token (give it with ;token= or SPARK_CONNECT_TOKEN)".into()
        }
        Code::Unavailable => format!("cannot reach the server: {first}"),
        Code::DeadlineExceeded => "the server did not answer in time".into(),
        _ => {
            // Spark ends its messages with the SQLSTATE; class 22 (data exceptions) may quote
            // a value of the data.
            let state = message
                .rsplit_once("SQLSTATE: ")
                .map(|(_, s)| s.chars().take(5).collect::<String>());
            match state {
                Some(s) if s.starts_with("22") => {
                    format!("the statement failed on a value of the data (SQLSTATE {s})")
                }
                _ => cut(&first, 300),
            }
        }
    }
}

/// `text` cut to about `limit` characters.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut out: String = text.chars().take(limit).collect();
    out.push('…');
    out
}

/// The messages of Spark Connect that linkrisk sends and reads, with Spark's field numbers
/// (`spark/connect/base.proto`, `relations.proto`). A `oneof` is written as the optional field
/// of the one case linkrisk uses: the same bytes on the wire.
mod proto {
    /// `spark.connect.ExecutePlanRequest`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExecutePlanRequest {
        #[prost(string, tag = "1")]
        pub session_id: String,
        #[prost(message, optional, tag = "2")]
        pub user_context: Option<UserContext>,
        #[prost(message, optional, tag = "3")]
        pub plan: Option<Plan>,
        #[prost(string, optional, tag = "4")]
        pub client_type: Option<String>,
    }

    /// `spark.connect.ReleaseSessionRequest`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ReleaseSessionRequest {
        #[prost(string, tag = "1")]
        pub session_id: String,
        #[prost(message, optional, tag = "2")]
        pub user_context: Option<UserContext>,
        #[prost(string, optional, tag = "3")]
        pub client_type: Option<String>,
    }

    /// `spark.connect.ReleaseSessionResponse` (its fields are not read).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ReleaseSessionResponse {}

    /// `spark.connect.UserContext`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct UserContext {
        #[prost(string, tag = "1")]
        pub user_id: String,
        #[prost(string, tag = "2")]
        pub user_name: String,
    }

    /// `spark.connect.Plan` with its `root` relation.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Plan {
        #[prost(message, optional, tag = "1")]
        pub root: Option<Relation>,
    }

    /// `spark.connect.Relation` of the `sql` case.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Relation {
        #[prost(message, optional, tag = "10")]
        pub sql: Option<Sql>,
    }

    /// `spark.connect.SQL`.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Sql {
        #[prost(string, tag = "1")]
        pub query: String,
    }

    /// `spark.connect.ExecutePlanResponse`: only its Arrow batches are read.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ExecutePlanResponse {
        #[prost(string, tag = "1")]
        pub session_id: String,
        #[prost(message, optional, tag = "2")]
        pub arrow_batch: Option<ArrowBatch>,
    }

    /// `spark.connect.ExecutePlanResponse.ArrowBatch`: an Arrow IPC stream.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ArrowBatch {
        #[prost(int64, tag = "1")]
        pub row_count: i64,
        #[prost(bytes = "vec", tag = "2")]
        pub data: Vec<u8>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_parse_as_spark_documents_them() {
        let e = parse_url("sc://myhost.com/").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("myhost.com", 15002));
        let e = parse_url("sc://myhost.com:443/;use_ssl=true;token=ABCDEFG").unwrap();
        assert_eq!(e.port, 443);
        assert_eq!(e.use_ssl, Some(true));
        assert_eq!(e.token.as_deref(), Some("ABCDEFG"));
        let e = parse_url("sc://[::1]:15099;token=t").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("::1", 15099));
        assert!(parse_url("sc://myhost.com:443/mypathprefix/;token=AAAAAAA").is_err());
        assert!(parse_url("sc://h:0").is_err());
        assert!(parse_url("sc://h;tokn=x").is_err());
        assert!(parse_url("sc://h;session_id=nope").is_err());
        assert!(parse_url("sc://:15002").is_err());
    }

    #[test]
    fn a_token_goes_to_another_machine_only_over_tls() {
        let table = || Records::Table("t".into());
        assert!(Spark::open("sc://db.example.com;token=x;use_ssl=false", table()).is_err());
        let remote = Spark::open("sc://db.example.com;token=x", table()).unwrap();
        assert!(remote.tls);
        let local = Spark::open("sc://localhost:15099;token=secret", table()).unwrap();
        assert!(!local.tls);
        assert!(!format!("{local:?}").contains("secret"));
        assert_eq!(local.shown(), "sc://localhost:15099 table t");
        assert_eq!(
            crate::escape::redact_url("sc://h;token=secret;use_ssl=true"),
            "sc://h;token=***;use_ssl=true"
        );
    }

    #[test]
    fn session_ids_are_version_4_uuids() {
        let id = new_uuid();
        assert!(is_uuid(&id), "{id}");
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, new_uuid());
    }
}
