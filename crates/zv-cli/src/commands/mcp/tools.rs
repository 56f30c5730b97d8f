//! The six tools: their definitions (names, input schemas, annotations) and what each does.
//! Every tool runs on the blocking pool ([`tokio::task::spawn_blocking`]): the client is
//! the CLI's blocking one.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::journal::{Header, Key};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use zv_api::UntypedRequest;
use zv_api::pages::PageOptions;
use zv_types::catalogue::{self, Entry, Safety};

use super::bound::{self, Limits};
use super::confirm::{self, Clock, Pending, Prepared};
use super::ledger::{self, ErrorView, Refusal};

/// The largest params a tool sends, in bytes of JSON.
pub const MAX_PARAMS_BYTES: usize = 64 * 1024;

/// The most entries `search_endpoints` lists.
const MAX_SEARCH: usize = 50;

/// What a tool answers: a result, or a tool error (both JSON objects).
type Answer = Result<Value, Value>;

/// Everything the tools share.
pub struct Inner {
    /// The gateway (and the sandbox, kept alive with it).
    pub gateway: crate::gateway::Gateway,
    /// The writes `prepare_write` may prepare.
    pub allowed: Vec<&'static Entry>,
    /// The bounds on a result's data.
    pub limits: Limits,
    /// The write journal.
    pub journal: PathBuf,
    /// Its header.
    pub header: Header,
    /// The most confirmed writes a day.
    pub cap: u32,
    /// The time.
    pub clock: Clock,
    /// The confirmations handed out.
    pub pending: Mutex<Pending>,
}

/// The MCP server: [`Inner`] behind an [`Arc`], for the blocking pool.
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
}

impl Server {
    /// A server of `inner`'s tools.
    pub fn new(inner: Inner) -> Server {
        Server { inner: Arc::new(inner) }
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("zv", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools(&self.inner.allowed)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let inner = self.inner.clone();
        let name = request.name.to_string();
        if !TOOL_NAMES.contains(&name.as_str()) {
            let shown = zv_types::text::Sanitized::new(&name).max_chars(64).to_string();
            return Err(McpError::invalid_params(format!("unknown tool `{shown}`"), None));
        }
        let args = request.arguments.unwrap_or_default();
        let answer = tokio::task::spawn_blocking(move || inner.call(&name, &args))
            .await
            .map_err(|e| McpError::internal_error(format!("the tool failed: {e}"), None))?;
        Ok(result(answer).into())
    }
}

const INSTRUCTIONS: &str = "zv: the zvcms / Qmai (企迈) OpenAPI. Find endpoints with search_endpoints, read one's params with describe_endpoint, call reads with call_endpoint (or list_pages, a page at a time). Writes are sent only when this server allows them: prepare_write shows the request and returns a confirmation id; show it to the person, and only on their word call confirm_write, which sends it once.";

const TOOL_NAMES: [&str; 6] = [
    "search_endpoints",
    "describe_endpoint",
    "call_endpoint",
    "list_pages",
    "prepare_write",
    "confirm_write",
];

/// The tool result of an answer: its JSON as structured content and as text, with no
/// character a terminal would obey.
fn result(answer: Answer) -> CallToolResult {
    let (mut value, is_error) = match answer {
        Ok(value) => (value, false),
        Err(value) => (value, true),
    };
    bound::clean(&mut value);
    if is_error { CallToolResult::structured_error(value) } else { CallToolResult::structured(value) }
}

/// The tool definitions. `prepare_write`'s input is one of the allowed writes, each with its
/// params' schema from the catalogue.
pub fn tools(allowed: &[&'static Entry]) -> Vec<Tool> {
    let endpoint = json!({ "type": "string", "description": "A V3 path (`v3/goods/item/getItemList`) or a V2 Action, as search_endpoints lists it" });
    let free_params = json!({ "type": "object", "description": "The business params (see describe_endpoint's paramsSchema)", "default": {} });
    let read = |title: &str| ToolAnnotations::with_title(title).read_only(true).destructive(false);
    let write_schema = if allowed.is_empty() {
        object(json!({ "endpoint": endpoint, "params": free_params }), &["endpoint"])
    } else {
        let one_of: Vec<Value> = allowed
            .iter()
            .map(|e| {
                json!({
                    "type": "object",
                    "properties": { "endpoint": { "const": name(e) }, "params": without_dialect(e.params_json_schema()) },
                    "required": ["endpoint"],
                })
            })
            .collect();
        let mut schema = object(json!({ "endpoint": endpoint, "params": free_params }), &["endpoint"]);
        schema.insert("oneOf".into(), Value::Array(one_of));
        schema
    };
    vec![
        tool(
            "search_endpoints",
            "Catalogue entries whose path or Action, title or domain contains the query: endpoint, title, domain, safety (read/write), paging, typed.",
            object(
                json!({
                    "query": { "type": "string", "description": "Text to look for; empty lists all" },
                    "domain": { "type": "string", "enum": catalogue::domains(), "description": "Only this domain's endpoints" },
                }),
                &["query"],
            ),
            read("Search endpoints"),
        ),
        tool(
            "describe_endpoint",
            "One endpoint as `zv endpoints show --json` shows it (safety, paging, params, data), with its params as JSON Schema (paramsSchema).",
            object(json!({ "endpoint": endpoint }), &["endpoint"]),
            read("Describe an endpoint"),
        ),
        tool(
            "call_endpoint",
            "Calls a catalogued read with params validated first; returns its data (bounded, saying when cut) and the gateway's traceId. Writes are refused: see prepare_write.",
            object(json!({ "endpoint": endpoint, "params": free_params }), &["endpoint"]),
            read("Call a read"),
        ),
        tool(
            "list_pages",
            "One page of a paged read: its records, the page number, the total when the gateway says, and next_cursor for the next records (null after the last): a page cut to the bounds goes on from its first record not returned, so following next_cursor reaches every record.",
            object(
                json!({ "endpoint": endpoint, "params": free_params, "cursor": { "type": "string", "description": "next_cursor of the page before; none for the first page" } }),
                &["endpoint"],
            ),
            read("List pages"),
        ),
        tool(
            "prepare_write",
            "Prepares a write this server allows: validates it and returns a preview of the request (no token) and a one-time confirmation id, valid 5 minutes. Nothing is sent.",
            write_schema,
            ToolAnnotations::with_title("Prepare a write").read_only(true).destructive(false),
        ),
        tool(
            "confirm_write",
            "Sends a prepared write, once, after a person agreed to the preview. Journaled before it is sent; refused when the same write is in doubt or was applied today, or the daily cap is reached.",
            object(
                json!({ "confirmation": { "type": "string", "description": "The id prepare_write returned" } }),
                &["confirmation"],
            ),
            ToolAnnotations::with_title("Send a prepared write").read_only(false).destructive(true),
        ),
    ]
}

/// The `$schema` member dropped: a tool's schema has one dialect, at its top.
fn without_dialect(mut schema: Value) -> Value {
    if let Value::Object(o) = &mut schema {
        o.remove("$schema");
    }
    schema
}

fn object(properties: Value, required: &[&str]) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("type".into(), "object".into());
    o.insert("properties".into(), properties);
    o.insert("required".into(), json!(required));
    o
}

fn tool(
    name: &'static str,
    description: &'static str,
    schema: Map<String, Value>,
    annotations: ToolAnnotations,
) -> Tool {
    Tool::new(name, description, Arc::new(schema)).with_annotations(annotations)
}

/// An entry's name as the tools show it: `v3/…` for a path, the Action for a V2 one.
pub fn name(entry: &Entry) -> String {
    match entry.route.protocol() {
        zv_types::Protocol::V3 => format!("v3/{}", entry.key()),
        zv_types::Protocol::V2 => entry.key().to_owned(),
    }
}

fn refuse(message: impl Into<String>) -> Value {
    json!({ "error": message.into() })
}

fn text_arg<'a>(args: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Value> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(refuse(format!("`{key}` must be a string"))),
    }
}

fn required_text<'a>(args: &'a Map<String, Value>, key: &str) -> Result<&'a str, Value> {
    text_arg(args, key)?.ok_or_else(|| refuse(format!("`{key}` is required")))
}

/// The catalogued endpoint `args.endpoint` names.
fn endpoint_arg(args: &Map<String, Value>) -> Result<&'static Entry, Value> {
    let given = required_text(args, "endpoint")?;
    if let Some(entry) = catalogue::lookup(given) {
        return Ok(entry);
    }
    let shown = zv_types::text::Sanitized::new(given).max_chars(120).to_string();
    let suggestion = crate::commands::api::target::Target::resolve(given)
        .ok()
        .and_then(|t| t.suggestion())
        .map(|e| format!(" Did you mean `{}`?", name(e)))
        .unwrap_or_default();
    Err(refuse(format!(
        "`{shown}` is not in the endpoint catalogue: zv mcp calls catalogued endpoints only (search_endpoints finds them).{suggestion}"
    )))
}

/// `args.params`, checked against the entry's schema and the size bound.
fn params_arg(entry: &Entry, args: &Map<String, Value>) -> Result<Value, Value> {
    let params = match args.get("params") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(params) => params.clone(),
    };
    let size = params.to_string().len();
    if size > MAX_PARAMS_BYTES {
        return Err(refuse(format!(
            "params are {size} bytes: more than the {MAX_PARAMS_BYTES} bytes zv mcp sends"
        )));
    }
    entry.check_params(&params).map_err(|problems| {
        json!({
            "error": format!("the params do not fit {} (nothing was sent)", name(entry)),
            "problems": problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "paramsSchema": entry.params_json_schema(),
        })
    })?;
    Ok(params)
}

/// A failed call as a tool error: the line zv prints, the platform's code and message,
/// zv's hint, the traceId, and what is known of its effect.
fn api_error(e: &zv_api::Error, grant_code: &str) -> Value {
    let line = crate::report::error_line(e);
    let line = zv_api::redact_grant_code(&line, grant_code).into_owned();
    let api = e.api_error();
    json!({
        "error": line,
        "code": api.map(|a| code_value(&a.code)),
        "message": api.map(|a| zv_api::redact_grant_code(&crate::output::render::replace_unsafe(&a.message), grant_code).into_owned()),
        "hint": crate::failure::hint(e),
        "traceId": crate::report::trace_id(e),
        "outcome": outcome_name(e.outcome()),
    })
}

fn code_value(code: &zv_types::ResponseCode) -> Value {
    match code {
        zv_types::ResponseCode::Num(n) => json!(n),
        zv_types::ResponseCode::Text(t) => json!(crate::output::render::replace_unsafe(t)),
    }
}

/// The page and the record within it a `list_pages` cursor names: `page:N` (from its first
/// record) or `page:N:K` (from its record K, counted from 0); `None` for anything else.
fn parse_cursor(cursor: &str) -> Option<(u32, usize)> {
    let rest = cursor.strip_prefix("page:")?;
    let (page, skip) = match rest.split_once(':') {
        Some((page, skip)) => (page, skip.parse::<usize>().ok()?),
        None => (rest, 0),
    };
    let page = page.parse::<u32>().ok().filter(|&n| n >= 1)?;
    Some((page, skip))
}

fn outcome_name(outcome: zv_api::Outcome) -> &'static str {
    match outcome {
        zv_api::Outcome::NotSent => "not_sent",
        zv_api::Outcome::Rejected => "rejected",
        _ => "unknown",
    }
}

/// The params as the text that is sent.
fn raw(params: &Value) -> Result<Box<RawValue>, Value> {
    serde_json::value::to_raw_value(params).map_err(|e| refuse(format!("cannot write the params: {e}")))
}

fn data_value(raw: &RawValue) -> Value {
    serde_json::from_str(raw.get()).unwrap_or_else(|_| Value::String(raw.get().to_owned()))
}

impl Inner {
    fn grant_code(&self) -> &str {
        self.gateway.client.config().grant_code()
    }

    /// `text` with the grantCode and the openKey redacted (the client's rule).
    fn redact(&self, text: &str) -> String {
        self.gateway.client.config().redact(text).into_owned()
    }

    /// Runs the tool `name` (one of [`TOOL_NAMES`]).
    fn call(&self, name: &str, args: &Map<String, Value>) -> Answer {
        match name {
            "search_endpoints" => search(args),
            "describe_endpoint" => self.describe(args),
            "call_endpoint" => self.call_endpoint(args),
            "list_pages" => self.list_pages(args),
            "prepare_write" => self.prepare_write(args),
            _ => self.confirm_write(args),
        }
    }

    fn describe(&self, args: &Map<String, Value>) -> Answer {
        let entry = endpoint_arg(args)?;
        let mut shown = entry.describe_json();
        shown["paramsSchema"] = entry.params_json_schema();
        shown["use"] = json!(match (entry.safety, entry.paging) {
            (Safety::Read, Some(_)) => "call_endpoint, or list_pages for one page at a time",
            (Safety::Read, None) => "call_endpoint",
            (Safety::Write, _) if self.allows(entry) =>
                "prepare_write, then confirm_write once a person agrees",
            (Safety::Write, _) => "a write this server does not allow (zv mcp --allow-write)",
        });
        Ok(shown)
    }

    fn allows(&self, entry: &Entry) -> bool {
        self.allowed.iter().any(|a| a.key() == entry.key())
    }

    /// The entry, if it is a catalogued read.
    fn read_arg(&self, args: &Map<String, Value>) -> Result<&'static Entry, Value> {
        let entry = endpoint_arg(args)?;
        if entry.safety == Safety::Write {
            let how = if self.allows(entry) {
                "use prepare_write, then confirm_write once a person agrees"
            } else {
                "use prepare_write — this server allows it only when started with --allow-write for it"
            };
            return Err(refuse(format!(
                "{} is a write: call_endpoint and list_pages send reads only; {how}",
                name(entry)
            )));
        }
        Ok(entry)
    }

    fn call_endpoint(&self, args: &Map<String, Value>) -> Answer {
        let entry = self.read_arg(args)?;
        let params = params_arg(entry, args)?;
        let raw = raw(&params)?;
        let request = UntypedRequest::new(entry.route, &*raw)
            .map_err(|e| api_error(&e, self.grant_code()))?
            .retry_safe(true);
        let response =
            self.gateway.client.send_untyped(&request).map_err(|e| api_error(&e, self.grant_code()))?;
        let trace_id = response
            .http
            .trace_id()
            .map(|t| zv_types::text::Sanitized::new(t.trim()).max_chars(128).to_string());
        let (data, cut) = bound::bound(data_value(&response.data), self.limits);
        Ok(json!({ "endpoint": name(entry), "data": data, "traceId": trace_id, "cut": cut }))
    }

    fn list_pages(&self, args: &Map<String, Value>) -> Answer {
        let entry = self.read_arg(args)?;
        let Some(dialect) = entry.paging else {
            return Err(refuse(format!(
                "{} does not page (in a dialect zv knows): use call_endpoint",
                name(entry)
            )));
        };
        let params = params_arg(entry, args)?;
        let (page, skip) = match text_arg(args, "cursor")? {
            None => (1, 0),
            Some(cursor) => parse_cursor(cursor)
                .ok_or_else(|| refuse("`cursor` is not one list_pages returned (`page:N` or `page:N:K`)"))?,
        };
        let mut options = PageOptions::default().start_page(page).max_pages(1);
        if params.get(dialect.request_fields().1).is_none() {
            let size = u32::try_from(self.limits.max_records.clamp(1, 100)).unwrap_or(100);
            options = options.page_size(size);
        }
        let raw = raw(&params)?;
        let request = UntypedRequest::new(entry.route, &*raw)
            .map_err(|e| api_error(&e, self.grant_code()))?
            .retry_safe(true);
        let page = match self.gateway.client.pages(&request, dialect, options).next() {
            Some(Ok(page)) => page,
            Some(Err(e)) => return Err(api_error(&e, self.grant_code())),
            None => return Err(refuse("the gateway gave no page")),
        };
        let rest = page.records().get(skip..).unwrap_or_default();
        let records: Vec<Value> = rest.iter().map(|r| data_value(r)).collect();
        let (records, cut) = bound::bound(Value::Array(records), self.limits);
        // A page cut to the bounds goes on within the same page, from the first record not
        // returned (past one record too big to return at all), so that following the
        // cursors reaches every record.
        let kept = records.as_array().map_or(0, Vec::len);
        let next = if kept < rest.len() {
            Some(format!("page:{}:{}", page.number, skip.saturating_add(kept.max(1))))
        } else {
            (!page.is_last).then(|| format!("page:{}", page.number.saturating_add(1)))
        };
        Ok(json!({
            "endpoint": name(entry),
            "page": page.number,
            "from": skip,
            "records": records,
            "total": page.total,
            "total_pages": page.total_pages,
            "is_last": page.is_last,
            "next_cursor": next,
            "cut": cut,
        }))
    }

    fn write_arg(&self, args: &Map<String, Value>) -> Result<&'static Entry, Value> {
        let entry = endpoint_arg(args)?;
        if entry.safety == Safety::Read {
            return Err(refuse(format!("{} is a read: use call_endpoint", name(entry))));
        }
        if !self.allows(entry) {
            return Err(refuse(format!(
                "{} is a write this server does not allow: a person must start zv mcp with --allow-write {} (or add it to the profile's mcp_allow_write)",
                name(entry),
                name(entry)
            )));
        }
        Ok(entry)
    }

    fn prepare_write(&self, args: &Map<String, Value>) -> Answer {
        let entry = self.write_arg(args)?;
        let params = params_arg(entry, args)?;
        let fingerprint = confirm::fingerprint(&entry.route.to_string(), &params);
        let now = self.clock.now();
        let scan = ledger::read(&self.journal).map_err(refusal)?;
        ledger::check(&scan, &fingerprint, &ledger::day(now), self.cap).map_err(refusal)?;
        let raw = raw(&params)?;
        let request =
            zv_api::sansio::prepare_serialized(self.gateway.client.config(), entry.route, &raw, now, 0)
                .map_err(|e| api_error(&e, self.grant_code()))?;
        // the grantCode and the openKey, should the params hold it
        let preview = crate::commands::api::target::dry_run_view(&request, false, &|text| self.redact(text))
            .map_err(|e| refuse(format!("cannot show the request: {e}")))?;
        let preview: Value = serde_json::from_str(&preview.to_json()).unwrap_or(Value::Null);
        let id =
            confirm::new_id().map_err(|e| refuse(format!("no random source for a confirmation id: {e}")))?;
        let expires_at = now.saturating_add(confirm::VALID_FOR);
        let prepared =
            Prepared { endpoint: entry.key(), params, fingerprint: fingerprint.clone(), expires_at };
        self.pending
            .lock()
            .map_err(|_| refuse("internal error: the confirmations are unusable"))?
            .insert(id.clone(), prepared);
        Ok(json!({
            "confirmation": id,
            "endpoint": name(entry),
            "fingerprint": fingerprint,
            "valid_for_seconds": confirm::VALID_FOR,
            "expires_at": expires_at,
            "preview": preview,
            "note": "Nothing was sent. Show this preview to the person; only if they agree, call confirm_write with the confirmation. The timestamp, nonce and token are made when it is sent.",
        }))
    }

    fn confirm_write(&self, args: &Map<String, Value>) -> Answer {
        let id = required_text(args, "confirmation")?;
        let now = self.clock.now();
        let prepared = self
            .pending
            .lock()
            .map_err(|_| refuse("internal error: the confirmations are unusable"))?
            .take(id, now)
            .map_err(|e| refuse(e.to_string()))?;
        let entry = catalogue::lookup(prepared.endpoint)
            .ok_or_else(|| refuse("internal error: the endpoint left the catalogue"))?;
        let today = ledger::day(now);
        // Refused before anything is sent: the confirmation stays valid (e.g. to try again
        // once another process is done with the journal).
        let opened = ledger::open(&self.journal, &self.header).and_then(|(journal, scan)| {
            ledger::check(&scan, &prepared.fingerprint, &today, self.cap).map(|()| journal)
        });
        let mut journal = match opened {
            Ok(journal) => journal,
            Err(r) => {
                if let Ok(mut pending) = self.pending.lock() {
                    pending.give_back(id, prepared);
                }
                return Err(refusal(r));
            }
        };
        let key = ledger::Entry::key(&today, id.trim(), &name(entry), &prepared.fingerprint);
        journal.append_sent(&Key::Id(key.clone())).map_err(|e| {
            refuse(format!(
                "cannot record the write in the journal {} before sending it: {e}; nothing was sent",
                journal.path()
            ))
        })?;
        let raw = raw(&prepared.params)?;
        let sent = UntypedRequest::new(entry.route, &*raw)
            .map(|r| r.retry_safe(false))
            .and_then(|request| self.gateway.client.send_untyped(&request));
        let view = sent.as_ref().map(|_| ()).map_err(|e| ErrorView {
            outcome: outcome_name(e.outcome()),
            code: e.api_error().map(|a| code_value(&a.code)),
            message: zv_api::redact_grant_code(&crate::report::error_line(e), self.grant_code()).into_owned(),
        });
        let recorded = journal.append_outcome(&ledger::outcome_line(
            &key,
            &name(entry),
            &prepared.params,
            &view,
            &|text| self.redact(text),
        ));
        drop(journal);
        let unrecorded = recorded.err().map(|e| {
            format!("the outcome could not be recorded ({e}): the journal keeps this write as sent, in doubt, until a person resolves it")
        });
        match sent {
            Ok(response) => {
                let trace_id = response
                    .http
                    .trace_id()
                    .map(|t| zv_types::text::Sanitized::new(t.trim()).max_chars(128).to_string());
                let (data, cut) = bound::bound(data_value(&response.data), self.limits);
                Ok(json!({
                    "sent": true,
                    "ok": true,
                    "endpoint": name(entry),
                    "journal_id": id.trim(),
                    "data": data,
                    "traceId": trace_id,
                    "cut": cut,
                    "warning": unrecorded,
                }))
            }
            Err(e) => {
                let mut error = api_error(&e, self.grant_code());
                error["journal_id"] = json!(id.trim());
                if e.outcome() == zv_api::Outcome::Unknown {
                    error["error"] = json!(format!(
                        "{}; outcome unknown: the write may have been applied. It is journaled as unknown: an identical write is refused until a person checks and resolves it (`zv journal resolve {} --as applied|failed`)",
                        error["error"].as_str().unwrap_or_default(),
                        id.trim()
                    ));
                }
                if let Some(w) = unrecorded {
                    error["warning"] = json!(w);
                }
                Err(error)
            }
        }
    }
}

fn refusal(r: Refusal) -> Value {
    refuse(r.to_string())
}

fn search(args: &Map<String, Value>) -> Answer {
    let query = text_arg(args, "query")?.unwrap_or("");
    let domain = text_arg(args, "domain")?;
    if let Some(d) = domain
        && !catalogue::domains().iter().any(|known| known.eq_ignore_ascii_case(d.trim()))
    {
        let shown = zv_types::text::Sanitized::new(d).max_chars(64).to_string();
        return Err(refuse(format!(
            "unknown domain `{shown}`; the domains are {}",
            catalogue::domains().join(", ")
        )));
    }
    let found: Vec<&'static Entry> = catalogue::search(query, domain).collect();
    let listed: Vec<Value> = found
        .iter()
        .take(MAX_SEARCH)
        .map(|e| {
            json!({
                "endpoint": name(e),
                "title": e.title,
                "domain": e.domain,
                "safety": e.safety.name(),
                "paging": e.paging.map(|p| p.name()),
                "typed": e.rust_type.is_some(),
            })
        })
        .collect();
    let more = found.len().saturating_sub(MAX_SEARCH);
    Ok(json!({
        "count": found.len(),
        "endpoints": listed,
        "more": (more > 0).then(|| format!("{more} more: narrow the query or give a domain")),
    }))
}
