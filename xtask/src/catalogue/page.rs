//! Reads one vendor reference page (the text of `open.zmcms.cn/doc{2,3}/article?id=N` as a
//! page corpus stores it) into the catalogue's schema: route, title, params and data.
//!
//! Two renderings of the same tables occur, often both in one page (a page may come in
//! several chunks, separated by `--- chunk ---`, each a rendering of part of it):
//!
//! - plain: `name type [default] description`, one row a line, nesting shown by the
//!   indentation before `├`, and the 是否必填 column lost;
//! - `|` tables: `name | type | 是 | default | description |`, with 是否必填 kept but the
//!   indentation lost, and the description shifted into the 默认值 column when there is no
//!   default (`OpenId | string | 是 | 密钥Id | |`).
//!
//! Both are read and merged row by row: nesting from the plain one, required and defaults
//! from the `|` one. Only what the page shows is kept: a row cut short (`prepare_time T`) is
//! dropped and the table marked truncated; names are kept exactly as spelled.

use std::collections::BTreeSet;

use crate::catalogue::{DataDef, DataShape, Format, JsonType, MoneyUnit, ParamDef, RouteKey};

/// What one page says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Page {
    /// 2 or 3.
    pub version: u8,
    /// The vendor's article id (the same id is the same function in both versions).
    pub article: u32,
    /// `API 3.0 > 7.3 会员基础信息 > 7.3.11 会员信息查询集合`, when the page has it.
    pub breadcrumb: Option<String>,
    /// `会员信息查询集合`: the breadcrumb's last part without its number.
    pub title: Option<String>,
    pub route: RouteKey,
    /// The business params, nested ones named by path (`a[].b`).
    pub params: Vec<ParamDef>,
    /// The request table was cut short: the endpoint takes params past its end.
    pub params_truncated: bool,
    /// The answer's `data`, when the page has a response table.
    pub data: Option<DataDef>,
    /// What could not be read, one line each.
    pub unread: Vec<String>,
}

impl Page {
    /// `doc3/726`.
    pub fn vendor_page(&self) -> String {
        format!("doc{}/{}", self.version, self.article)
    }
}

/// The columns of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columns {
    /// 参数 参数类型 是否必填 默认值 描述 (public and request params).
    Five,
    /// 参数 参数类型 描述 (response).
    Three,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Public,
    Request,
    Response,
}

/// One row as read.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    /// From the indentation (plain rendering); `None` in a `|` table, except 0 for a row
    /// without `├`.
    depth: Option<usize>,
    nested: bool,
    name: String,
    raw_type: String,
    required: Option<bool>,
    default: Option<String>,
    description: String,
}

#[derive(Debug, Clone)]
struct Table {
    kind: Kind,
    bar: bool,
    rows: Vec<Row>,
    /// The table was cut: its last row was incomplete, or nothing followed it in its chunk.
    cut: bool,
}

/// Reads a page. `file_name` is used for the version and article id when the page has no
/// `url:` line (`doc3-726.txt`).
pub(crate) fn parse_page(text: &str, file_name: &str) -> Result<Page, String> {
    let lines: Vec<&str> = text.lines().collect();
    let (version, article) = url_id(&lines)
        .or_else(|| file_id(file_name))
        .ok_or("no `url: http://open.zmcms.cn/docN/article?id=N` line and no docN-ID file name")?;
    let breadcrumb = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("API 2.0 >") || l.starts_with("API 3.0 >"))
        .map(str::to_owned);
    let title = breadcrumb.as_deref().and_then(title_of);
    let tables = tables(&lines);
    let mut unread = Vec::new();

    let route = route_of(&lines, &tables)?;
    match (&route, version) {
        (RouteKey::V2(_), 2) | (RouteKey::V3(_), 3) => {}
        _ => return Err(format!("a doc{version} page with the route {}", route.key())),
    }

    let request = merged(&tables, Kind::Request, &mut unread);
    let mut params = Vec::new();
    let mut params_truncated = false;
    if let Some((rows, cut)) = request {
        params = fields(&rows, "param", &mut unread);
        params_truncated = cut;
        if cut {
            unread.push("the request table is cut short: params past its end are not known".to_owned());
        }
    }
    let data =
        merged(&tables, Kind::Response, &mut unread).map(|(rows, cut)| data_of(&rows, cut, &mut unread));
    Ok(Page { version, article, breadcrumb, title, route, params, params_truncated, data, unread })
}

fn url_id(lines: &[&str]) -> Option<(u8, u32)> {
    let url = lines.iter().find_map(|l| l.trim().strip_prefix("url:"))?.trim();
    let rest = url.split("/doc").nth(1)?;
    let (version, rest) = rest.split_once("/article?id=")?;
    Some((version_of(version)?, rest.trim().parse().ok()?))
}

fn file_id(file_name: &str) -> Option<(u8, u32)> {
    let stem = file_name.rsplit(['/', '\\']).next()?.strip_suffix(".txt").unwrap_or(file_name);
    let (doc, id) = stem.strip_prefix("doc")?.split_once('-')?;
    Some((version_of(doc)?, id.parse().ok()?))
}

fn version_of(text: &str) -> Option<u8> {
    match text {
        "2" => Some(2),
        "3" => Some(3),
        _ => None,
    }
}

/// `API 3.0 > 7.3 会员基础信息 > 7.3.11 会员信息查询集合` → `会员信息查询集合`.
fn title_of(breadcrumb: &str) -> Option<String> {
    let last = breadcrumb.rsplit('>').next()?.trim();
    let title = last.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').trim();
    (!title.is_empty()).then(|| title.to_owned())
}

fn is_header(line: &str) -> Option<(Columns, bool)> {
    let cells: Vec<&str> = line.split(['|', ' ', '\t']).map(str::trim).filter(|c| !c.is_empty()).collect();
    let bar = line.contains('|');
    match cells.as_slice() {
        ["参数", "参数类型", "是否必填", "默认值", "描述"] => Some((Columns::Five, bar)),
        ["参数", "参数类型", "描述"] => Some((Columns::Three, bar)),
        _ => None,
    }
}

fn is_separator(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| c == '-' || c == '|' || c == ':')
}

/// Every table of the page, in order.
fn tables(lines: &[&str]) -> Vec<Table> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((columns, bar)) = is_header(lines[i]) else {
            i += 1;
            continue;
        };
        i += 1;
        let mut rows = Vec::new();
        let mut last_complete = true;
        while i < lines.len() {
            let line = lines[i];
            if is_header(line).is_some() || line.trim() == "--- chunk ---" {
                break;
            }
            if bar {
                if is_separator(line) {
                    i += 1;
                    continue;
                }
                if !line.contains('|') {
                    // A fragment that ends its chunk is a row cut short.
                    let ends_chunk = lines[i + 1..]
                        .iter()
                        .take_while(|l| l.trim() != "--- chunk ---")
                        .all(|l| l.trim().is_empty());
                    let fragment = line.trim_start().starts_with('├')
                        || !line.trim().is_empty()
                            && line.trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if ends_chunk && fragment {
                        last_complete = false;
                        i += 1;
                    }
                    break;
                }
            } else if line.trim().is_empty() {
                break;
            }
            let (row, complete) = if bar { bar_row(line, columns) } else { plain_row(line, columns) };
            last_complete = complete;
            if let Some(row) = row {
                rows.push(row);
            }
            i += 1;
        }
        // Nothing but blanks up to the end of the chunk: the table may go on past it.
        let rest_blank =
            lines[i..].iter().take_while(|l| l.trim() != "--- chunk ---").all(|l| l.trim().is_empty());
        let kind = match columns {
            Columns::Three => Kind::Response,
            Columns::Five
                if rows.iter().any(|r| {
                    matches!(r.name.as_str(), "OpenId" | "openId" | "GrantCode" | "grantCode" | "Action")
                }) =>
            {
                Kind::Public
            }
            Columns::Five => Kind::Request,
        };
        out.push(Table { kind, bar, rows, cut: !last_complete || rest_blank });
    }
    out
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

/// A plain row: `  ├name type [是|否] [default] description…`; `None` when it has no name,
/// and whether it is complete (has a known type).
fn plain_row(line: &str, columns: Columns) -> (Option<Row>, bool) {
    let indent = line.chars().take_while(|c| *c == ' ' || *c == '\u{3000}').count();
    let trimmed = line.trim_start();
    let (nested, body) = match trimmed.strip_prefix('├') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, trimmed),
    };
    let tokens: Vec<&str> = body.split_whitespace().collect();
    let Some((name, rest)) = tokens.split_first() else { return (None, false) };
    let Some((raw_type, mut rest)) = rest.split_first() else {
        return (None, false);
    };
    let mut required = None;
    let mut default = None;
    if columns == Columns::Five {
        if let Some((first, tail)) = rest.split_first()
            && matches!(*first, "是" | "否")
        {
            required = Some(*first == "是");
            rest = tail;
        }
        if rest.len() >= 2 && !has_cjk(rest[0]) && rest[0].chars().count() <= 64 {
            default = Some(rest[0].to_owned());
            rest = &rest[1..];
        }
    }
    let row = Row {
        depth: Some(if nested { indent.max(1) } else { 0 }),
        nested,
        name: (*name).to_owned(),
        raw_type: (*raw_type).to_owned(),
        required,
        default,
        description: rest.join(" "),
    };
    let complete = map_type(raw_type).is_some();
    (complete.then_some(row), complete)
}

/// A `|` row: `├name | type | 是 | default | description |`, the description shifted left
/// when there is no default; complete when it ends with `|` and has a known type.
fn bar_row(line: &str, columns: Columns) -> (Option<Row>, bool) {
    let t = line.trim();
    let (closed, t) = match t.strip_suffix('|') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let cells: Vec<&str> = t.split('|').map(str::trim).collect();
    let name_cell = cells.first().copied().unwrap_or_default();
    let (nested, name) = match name_cell.strip_prefix('├') {
        Some(rest) => (true, rest.trim()),
        None => (false, name_cell),
    };
    let raw_type = cells.get(1).copied().unwrap_or_default();
    if name.is_empty() || raw_type.is_empty() {
        return (None, false);
    }
    let (required, rest) = match columns {
        Columns::Five => (
            match cells.get(2).copied() {
                Some("是") => Some(true),
                Some("否") => Some(false),
                _ => None,
            },
            cells.get(3..).unwrap_or_default(),
        ),
        Columns::Three => (None, cells.get(2..).unwrap_or_default()),
    };
    let filled: Vec<&str> = rest.iter().copied().filter(|c| !c.is_empty()).collect();
    let (default, description) = match (columns, filled.as_slice()) {
        (Columns::Five, [default, description, more @ ..]) => {
            let mut d = vec![*description];
            d.extend(more);
            (Some((*default).to_owned()), d.join(" "))
        }
        (_, cells) => (None, cells.join(" ")),
    };
    let row = Row {
        depth: if nested { None } else { Some(0) },
        nested,
        name: name.to_owned(),
        raw_type: raw_type.to_owned(),
        required,
        default,
        description,
    };
    let known = map_type(raw_type).is_some();
    (known.then_some(row), known && closed)
}

/// The V3 path of the request address, or the V2 Action of the public params.
fn route_of(lines: &[&str], tables: &[Table]) -> Result<RouteKey, String> {
    let mut v3 = BTreeSet::new();
    let mut v2 = false;
    for line in lines {
        for word in line.split(|c: char| c.is_whitespace() || c == '|') {
            let Some(at) = word.find("://") else { continue };
            let after_host = word[at + 3..].split_once('/').map_or("", |(_, p)| p);
            if let Some(path) = after_host.strip_prefix("v3/") {
                v3.insert(path.trim_end_matches('/').to_owned());
            } else if after_host.trim_end_matches('/') == "api/v2" {
                v2 = true;
            }
        }
    }
    let actions: BTreeSet<String> = tables
        .iter()
        .filter(|t| t.kind == Kind::Public)
        .flat_map(|t| &t.rows)
        .filter(|r| r.name == "Action")
        .filter_map(|r| {
            let text = r.default.clone().unwrap_or_else(|| r.description.clone());
            text.split_whitespace().next().filter(|a| a.contains('.') && !has_cjk(a)).map(str::to_owned)
        })
        .collect();
    match (v3.len(), v2, actions.len()) {
        (1, false, _) => {
            let path = v3.into_iter().next().unwrap_or_default();
            if path.is_empty() || path.contains(char::is_whitespace) {
                return Err(format!("the request address's path {path:?} is not a V3 path"));
            }
            Ok(RouteKey::V3(path))
        }
        (0, true, 1) => Ok(RouteKey::V2(actions.into_iter().next().unwrap_or_default())),
        (0, true, 0) => Err("a V2 page without an Action among its public params".to_owned()),
        (0, true, _) => Err(format!("a V2 page with several Actions: {actions:?}")),
        (0, false, _) => Err("no request address (http://…/v3/… or http://…/api/v2)".to_owned()),
        _ => Err(format!("several request addresses: {v3:?}{}", if v2 { " and /api/v2" } else { "" })),
    }
}

/// The rows of the tables of `kind`, both renderings merged, and whether the result is cut.
fn merged(tables: &[Table], kind: Kind, unread: &mut Vec<String>) -> Option<(Vec<Row>, bool)> {
    let best = |bar: bool| {
        tables.iter().filter(|t| t.kind == kind && t.bar == bar).max_by_key(|t| (t.rows.len(), !t.cut))
    };
    let (plain, bar) = (best(false), best(true));
    let bar_rows = bar.map(|t| bar_depths(&t.rows, unread));
    match (plain, bar, bar_rows) {
        (Some(p), None, _) => Some((p.rows.clone(), p.cut)),
        (None, Some(b), Some(rows)) => Some((rows, b.cut)),
        (Some(p), Some(b), Some(mut rows)) => {
            let plain_longer = p.rows.len() >= rows.len();
            let mut base = if plain_longer { p.rows.clone() } else { std::mem::take(&mut rows) };
            let other: &[Row] = if plain_longer { &rows } else { &p.rows };
            for (i, o) in other.iter().enumerate() {
                let Some(row) = base.get_mut(i) else { break };
                if row.name != o.name {
                    unread.push(format!(
                        "the two renderings of a table differ at row {} ({:?} / {:?}): the longer one is kept",
                        i + 1,
                        row.name,
                        o.name
                    ));
                    break;
                }
                // Nesting from the plain rendering, required and defaults from the `|` one.
                let (plain_row, bar_row) = if plain_longer { (row.clone(), o) } else { (o.clone(), &*row) };
                let description =
                    if plain_row.description.chars().count() >= bar_row.description.chars().count() {
                        plain_row.description.clone()
                    } else {
                        bar_row.description.clone()
                    };
                *row = Row {
                    depth: plain_row.depth,
                    required: bar_row.required.or(plain_row.required),
                    default: bar_row.default.clone().or(plain_row.default),
                    description,
                    ..plain_row
                };
            }
            let cut = if plain_longer { p.cut } else { b.cut };
            Some((base, cut))
        }
        _ => None,
    }
}

/// Depths for the rows of a `|` table, whose indentation is lost: an element row (`├0`)
/// opens a level, and so does a name repeated at the current level (it must belong to the
/// last container before it). Says so when a container's children cannot be told from its
/// siblings.
fn bar_depths(rows: &[Row], unread: &mut Vec<String>) -> Vec<Row> {
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    // The depth of the rows that follow, and the names seen at each depth since it opened.
    let mut level = 1;
    let mut seen: Vec<BTreeSet<String>> = vec![BTreeSet::new(), BTreeSet::new()];
    let mut guessed = false;
    let open = |seen: &mut Vec<BTreeSet<String>>, level: usize| {
        seen.truncate(level);
        seen.resize(level + 1, BTreeSet::new());
    };
    for (i, row) in rows.iter().enumerate() {
        let mut row = row.clone();
        let depth = if !row.nested {
            level = 1;
            seen = vec![BTreeSet::new(), BTreeSet::new()];
            0
        } else if is_element(&row.name) {
            // The element of the list just above it, or of the current level's parent.
            let depth = match out.last() {
                Some(prev) if is_container(prev) && !is_element(&prev.name) => prev.depth.unwrap_or(0) + 1,
                _ => level,
            };
            level = depth + 1;
            open(&mut seen, level);
            depth
        } else {
            if seen.get(level).is_some_and(|s| s.contains(&row.name)) {
                // A name seen at this level: it belongs to the last container before it.
                level += 1;
                open(&mut seen, level);
                guessed = true;
            }
            if is_container(&row) && rows.get(i + 1).is_some_and(|n| n.nested && !is_element(&n.name)) {
                guessed = true;
            }
            level
        };
        if let Some(s) = seen.get_mut(depth) {
            s.insert(row.name.clone());
        }
        row.depth = Some(depth);
        out.push(row);
    }
    if guessed {
        unread.push(
            "a `|` table without indentation: nesting below a nested list or object is guessed".to_owned(),
        );
    }
    out
}

fn is_container(row: &Row) -> bool {
    matches!(map_type(&row.raw_type), Some((JsonType::Array | JsonType::Object, ..)))
}

fn is_element(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

/// A page's type → (JSON type, money unit, format).
fn map_type(raw: &str) -> Option<(JsonType, Option<MoneyUnit>, Option<Format>)> {
    let t = raw.trim().to_ascii_lowercase().replace('（', "(").replace('）', ")");
    let t = t.as_str();
    Some(match t {
        "string" | "str" | "varchar" | "char" | "text" => (JsonType::String, None, None),
        "int" | "integer" | "bigint" | "long" | "tinyint" | "smallint" | "int32" | "int64" => {
            (JsonType::Integer, None, None)
        }
        "number" | "float" | "double" | "decimal" => (JsonType::Number, None, None),
        "bool" | "boolean" => (JsonType::Boolean, None, None),
        "array" | "list" => (JsonType::Array, None, None),
        "object" | "json" | "map" => (JsonType::Object, None, None),
        "money(元)" => (JsonType::Number, Some(MoneyUnit::Yuan), None),
        "money(分)" => (JsonType::Integer, Some(MoneyUnit::Fen), None),
        "money" => (JsonType::Number, None, None),
        "timestamp" => (JsonType::Integer, None, Some(Format::UnixSeconds)),
        "datetime" | "date-time" | "date" | "string(date-time)" | "string(datetime)" => {
            (JsonType::String, None, Some(Format::DateTime))
        }
        _ => return None,
    })
}

/// What a description says beyond its short label: a money unit, a time format, and the
/// allowed values of an enumeration (`1=会员码,2=手机号`, `0:未知、1:男性`, `1堂食,3外卖`).
struct Described {
    label: Option<String>,
    unit: Option<MoneyUnit>,
    date_time: bool,
    values: Vec<(String, String)>,
}

fn describe(text: &str) -> Described {
    // Some pages carry escaped line breaks (`\\r\\n`) inside a cell.
    let text = text.replace("\\r\\n", " ").replace("\\n", " ").replace("\\t", " ");
    let text = text.as_str();
    let unit = if ["/分", "(分)", "（分）", "单位:分", "单位：分", "单位分"].iter().any(|m| text.contains(m))
    {
        Some(MoneyUnit::Fen)
    } else if ["/元", "(元)", "（元）", "单位:元", "单位：元", "单位元"].iter().any(|m| text.contains(m))
    {
        Some(MoneyUnit::Yuan)
    } else {
        None
    };
    let date_time = text.contains("yyyy-MM-dd HH:mm:ss");
    let (start, values) = enum_values(text);
    let label_text = match start {
        Some(at) if !values.is_empty() => &text[..at],
        _ => text,
    };
    // The unit is a fact of its own: `商品单价/元` is labelled `商品单价`.
    let mut label_text = label_text.to_owned();
    if unit.is_some() {
        for marker in ["/分", "/元", "(分)", "(元)", "（分）", "（元）"] {
            label_text = label_text.replace(marker, "");
        }
    }
    let label = label_text
        .trim()
        .trim_end_matches([':', '：', ',', '，', '(', '（', '-', '=', ' ', '。', '、'])
        .trim();
    Described { label: (!label.is_empty()).then(|| label.to_owned()), unit, date_time, values }
}

/// The enumeration written in a description: where it starts, and its (value, label)
/// pairs; empty when there are fewer than two or a label looks like prose.
fn enum_values(text: &str) -> (Option<usize>, Vec<(String, String)>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // (start byte, code, label start byte)
    let mut items: Vec<(usize, String, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let boundary = i == 0 || {
            let p = chars[i - 1].1;
            !(p.is_ascii_alphanumeric() || matches!(p, '_' | '.' | '-' | '=' | '<' | '>' | '/'))
        };
        if !c.is_ascii_digit() || !boundary {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j].1.is_ascii_digit() {
            j += 1;
        }
        let code: String = chars[i..j].iter().map(|(_, c)| c).collect();
        let mut k = j;
        while k < chars.len() && chars[k].1 == ' ' {
            k += 1;
        }
        let mut separated = false;
        let rest: String = chars[k..].iter().take(2).map(|(_, c)| c).collect();
        if rest.starts_with("--") {
            k += 2;
            separated = true;
        } else if let Some(c) = chars.get(k).map(|(_, c)| *c)
            && matches!(c, '=' | ':' | '：' | '-' | '、')
        {
            k += 1;
            separated = true;
        }
        while k < chars.len() && chars[k].1 == ' ' {
            k += 1;
        }
        let next = chars.get(k).map(|(_, c)| *c);
        // Without a separator (`1堂食`), a value starts a word: `第1页` is no value.
        let starts_word = i == 0 || !has_cjk(&chars[i - 1].1.to_string());
        let ok = code.len() <= 6
            && match next {
                Some(n) if separated => !n.is_ascii_digit() && !n.is_whitespace(),
                Some(n) => starts_word && has_cjk(&n.to_string()),
                None => false,
            };
        if ok {
            items.push((at, code, chars[k].0));
            i = k;
        } else {
            i = j;
        }
    }
    let mut values: Vec<(String, String)> = Vec::new();
    let mut codes = BTreeSet::new();
    for (n, (_, code, label_at)) in items.iter().enumerate() {
        if !codes.insert(code.clone()) {
            break;
        }
        let end = items.get(n + 1).map_or(text.len(), |next| next.0);
        let raw = &text[*label_at..end];
        let cut = raw.find([',', '，', ';', '；', '。']).map_or(raw, |at| &raw[..at]);
        // What follows a label up to the next value must not be another `key: value`.
        if raw[cut.len()..].contains([':', '：', '=']) {
            return (None, Vec::new());
        }
        let label = cut.trim().trim_end_matches(['、', ')', '）', '(', '（', ' ', '】']).trim();
        // `1表示账号`: the label is `账号`.
        let label = label.strip_prefix("表示").map_or(label, str::trim);
        if label.is_empty() || label.chars().count() > 30 || label.chars().any(|c| c.is_ascii_digit()) {
            return (None, Vec::new());
        }
        values.push((code.clone(), label.to_owned()));
    }
    if values.len() < 2 {
        return (None, Vec::new());
    }
    (items.first().map(|i| i.0), values)
}

/// One node of the tree the rows describe.
#[derive(Debug)]
struct Node {
    row: Row,
    /// The element row (`├0`) of a list, with its children.
    element: Option<Box<Node>>,
    children: Vec<Node>,
}

/// The rows as a tree: a row's parent is the nearest row above it with a smaller depth;
/// an element row (`├0`) stands for each element of its parent's list (a second one,
/// `├1`, repeats the first). A name repeated among siblings is read once.
fn build_tree(rows: &[Row], what: &str, unread: &mut Vec<String>) -> Vec<Node> {
    struct Slot {
        row: Row,
        parent: Option<usize>,
    }
    let mut slots: Vec<Slot> = Vec::new();
    // (parent, name) → slot, and parent → its element slot: a page of many rows is read in
    // linear time.
    let mut by_name: std::collections::HashMap<(Option<usize>, String), usize> =
        std::collections::HashMap::new();
    let mut elements: std::collections::HashMap<Option<usize>, usize> = std::collections::HashMap::new();
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for row in rows {
        let depth = row.depth.unwrap_or(0);
        while stack.last().is_some_and(|(d, _)| *d >= depth) {
            stack.pop();
        }
        let parent = stack.last().map(|(_, i)| *i);
        let element = is_element(&row.name);
        if element && parent.is_none() {
            unread.push(format!("{what} element row {:?} without a list above it (left out)", row.name));
            continue;
        }
        let same =
            if element { elements.get(&parent) } else { by_name.get(&(parent, row.name.clone())) }.copied();
        let at = match same {
            Some(at) => {
                if !element {
                    unread.push(format!("{what} {:?} listed twice at one level: read once", row.name));
                }
                at
            }
            None => {
                slots.push(Slot { row: row.clone(), parent });
                let at = slots.len() - 1;
                if element {
                    elements.insert(parent, at);
                } else {
                    by_name.insert((parent, row.name.clone()), at);
                }
                at
            }
        };
        stack.push((depth, at));
    }
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
    for (i, s) in slots.iter().enumerate() {
        if let Some(p) = s.parent {
            kids[p].push(i);
        }
    }
    fn node(slots: &[Slot], kids: &[Vec<usize>], at: usize) -> Node {
        let mut element = None;
        let mut children = Vec::new();
        for &i in &kids[at] {
            if is_element(&slots[i].row.name) {
                element = Some(Box::new(node(slots, kids, i)));
            } else {
                children.push(node(slots, kids, i));
            }
        }
        Node { row: slots[at].row.clone(), element, children }
    }
    (0..slots.len()).filter(|i| slots[*i].parent.is_none()).map(|i| node(&slots, &kids, i)).collect()
}

/// The flattened field definitions of a tree (`a`, `a.b`, `a[].b`).
fn flatten(nodes: &[Node], prefix: &str, out: &mut Vec<ParamDef>, what: &str, unread: &mut Vec<String>) {
    for node in nodes {
        let row = &node.row;
        if row.name.contains(['.', '[', ']']) || row.name.contains(char::is_whitespace) {
            unread.push(format!("{what} {:?}: a name the catalogue cannot write (left out)", row.name));
            continue;
        }
        let name = format!("{prefix}{}", row.name);
        let Some((mut json_type, mut unit, mut format)) = map_type(&row.raw_type) else { continue };
        let described = describe(&row.description);
        unit = unit.or(described.unit.filter(|_| matches!(json_type, JsonType::Integer | JsonType::Number)));
        if described.date_time && json_type == JsonType::String {
            format = Some(Format::DateTime);
        }
        let mut def = ParamDef {
            name: name.clone(),
            required: row.required,
            default: row.default.clone(),
            description: described.label.clone(),
            ..ParamDef::default()
        };
        let mut values = described.values;
        let mut child_prefix = format!("{name}.");
        let mut children: &[Node] = &node.children;
        if let Some(element) = &node.element {
            json_type = JsonType::Array;
            let element_type = map_type(&element.row.raw_type).map(|t| t.0);
            let element_text = describe(&element.row.description);
            if def.description.is_none() {
                def.description = element_text.label;
            }
            if !element.children.is_empty() {
                def.items = Some(JsonType::Object);
                child_prefix = format!("{name}[].");
                children = &element.children;
            } else if let Some(
                t @ (JsonType::String | JsonType::Integer | JsonType::Number | JsonType::Boolean),
            ) = element_type
            {
                def.items = Some(t);
                if values.is_empty() {
                    values = element_text.values;
                }
            }
        } else if !node.children.is_empty() {
            // PHP calls an object an array.
            json_type = JsonType::Object;
        }
        if matches!(json_type, JsonType::Array | JsonType::Object | JsonType::Boolean) && def.items.is_none()
        {
            values.clear();
            unit = None;
            format = None;
        }
        def.json_type = Some(json_type);
        def.money_unit = unit;
        def.format = format;
        def.values = values;
        out.push(def);
        flatten(children, &child_prefix, out, what, unread);
    }
}

fn fields(rows: &[Row], what: &str, unread: &mut Vec<String>) -> Vec<ParamDef> {
    let tree = build_tree(rows, what, unread);
    let mut out = Vec::new();
    flatten(&tree, "", &mut out, what, unread);
    out
}

/// The answer's `data`: the `data` row's fields when the table lists the envelope
/// (`status`, `code`, `message`, `data`), else the table's rows.
fn data_of(rows: &[Row], cut: bool, unread: &mut Vec<String>) -> DataDef {
    let mut tree = build_tree(rows, "data field", unread);
    let is_envelope = |n: &Node| matches!(n.row.name.as_str(), "status" | "code" | "message" | "traceId");
    let envelope = tree.iter().filter(|n| is_envelope(n)).count() >= 2;
    let data_at = tree.iter().position(|n| n.row.name == "data");
    let (shape, nodes) = match (envelope, data_at) {
        (true, Some(at)) => {
            let data = tree.swap_remove(at);
            match data.element {
                Some(element) if !element.children.is_empty() => (DataShape::List, element.children),
                Some(_) => {
                    unread.push("data is a list of values, not objects: not modelled".to_owned());
                    (DataShape::List, Vec::new())
                }
                None => (DataShape::Object, data.children),
            }
        }
        // The envelope without a `data` row: the other rows are the data's fields.
        (true, None) => {
            tree.retain(|n| !is_envelope(n));
            (DataShape::Object, tree)
        }
        // `status` alone is a field of the data.
        (false, _) => (DataShape::Object, tree),
    };
    let mut fields = Vec::new();
    flatten(&nodes, "", &mut fields, "data field", unread);
    DataDef { shape, truncated: cut, fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(name: &str) -> Page {
        let path = format!("{}/testdata/pages/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        parse_page(&text, name).unwrap()
    }

    fn field<'a>(fields: &'a [ParamDef], name: &str) -> &'a ParamDef {
        fields.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no {name} in {fields:#?}"))
    }

    fn names(fields: &[ParamDef]) -> Vec<&str> {
        fields.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn enumerations_in_descriptions() {
        type Case<'a> = (&'a str, Option<&'a str>, &'a [(&'a str, &'a str)]);
        let cases: &[Case] = &[
            (
                "识别类型:1=会员码或会员ID,2=手机号,3=会员卡号",
                Some("识别类型"),
                &[("1", "会员码或会员ID"), ("2", "手机号"), ("3", "会员卡号")],
            ),
            ("性别。0:未知、1:男性、2:女性", Some("性别"), &[("0", "未知"), ("1", "男性"), ("2", "女性")]),
            ("是否隐藏 0--不隐藏 1--隐藏", Some("是否隐藏"), &[("0", "不隐藏"), ("1", "隐藏")]),
            (
                "业务类型,10-餐饮,11-零售,12-平台",
                Some("业务类型"),
                &[("10", "餐饮"), ("11", "零售"), ("12", "平台")],
            ),
            ("1堂食,3外卖", None, &[("1", "堂食"), ("3", "外卖")]),
            ("是否是企业会员 0是 1 否", Some("是否是企业会员"), &[("0", "是"), ("1", "否")]),
            (
                "券类型:1、代金券 2、折扣券 4、买 A 赠 B 券",
                Some("券类型"),
                &[("1", "代金券"), ("2", "折扣券"), ("4", "买 A 赠 B 券")],
            ),
            ("优惠形式0-指定金额,1-折扣券", Some("优惠形式"), &[("0", "指定金额"), ("1", "折扣券")]),
            ("实体条码 max:20", Some("实体条码 max:20"), &[]),
            ("分享文字 最大20字", Some("分享文字 最大20字"), &[]),
            ("第1页 每页20条 共3页", Some("第1页 每页20条 共3页"), &[]),
            ("生效时间, yyyy-MM-dd HH:mm:ss", Some("生效时间, yyyy-MM-dd HH:mm:ss"), &[]),
            ("", None, &[]),
        ];
        for (text, label, values) in cases {
            let d = describe(text);
            let got: Vec<(&str, &str)> = d.values.iter().map(|(v, l)| (v.as_str(), l.as_str())).collect();
            assert_eq!(got, *values, "{text}");
            if !values.is_empty() {
                assert_eq!(d.label.as_deref(), *label, "{text}");
            }
        }
        assert_eq!(describe("订单总价/分").unit, Some(MoneyUnit::Fen));
        assert_eq!(describe("订单总价/分").label.as_deref(), Some("订单总价"));
        assert_eq!(describe("商品单价/元").unit, Some(MoneyUnit::Yuan));
        assert!(describe("到期时间, yyyy-MM-dd HH:mm:ss").date_time);
    }

    #[test]
    fn a_plain_v3_page_with_nesting_defaults_money_and_a_cut_table() {
        let p = page("doc3-901.txt");
        assert_eq!((p.version, p.article), (3, 901));
        assert_eq!(p.route, RouteKey::V3("crm/demo/findMember".into()));
        assert_eq!(p.title.as_deref(), Some("查找会员"));
        assert_eq!(
            names(&p.params),
            [
                "type",
                "typeCate",
                "discountPrice",
                "tradeMarks",
                "tradeMarks[].num",
                "tradeMarks[].price",
                "endData"
            ]
        );
        let kind = field(&p.params, "type");
        assert_eq!(kind.json_type, Some(JsonType::Integer));
        assert_eq!(kind.description.as_deref(), Some("识别类型"));
        assert_eq!(kind.values, [("1".into(), "会员码".into()), ("2".into(), "手机号".into())]);
        assert_eq!(kind.required, None, "the plain rendering has no 是否必填");
        assert!(!p.params_truncated);
        assert_eq!(field(&p.params, "typeCate").default.as_deref(), Some("1"));
        let price = field(&p.params, "discountPrice");
        assert_eq!((price.json_type, price.money_unit), (Some(JsonType::Number), Some(MoneyUnit::Yuan)));
        assert_eq!(field(&p.params, "tradeMarks").items, Some(JsonType::Object));
        assert_eq!(field(&p.params, "tradeMarks[].price").money_unit, Some(MoneyUnit::Fen));
        let data = p.data.unwrap();
        assert_eq!(data.shape, DataShape::Object);
        assert!(data.truncated, "the table stops mid-row");
        assert_eq!(
            names(&data.fields),
            ["username", "gender", "cards", "cards[].cardNo", "cards[].beginAt", "period", "period.weeks"]
        );
        assert_eq!(field(&data.fields, "cards[].beginAt").format, Some(Format::DateTime));
        assert_eq!(field(&data.fields, "period").json_type, Some(JsonType::Object));
        assert!(!data.fields.iter().any(|f| f.name.contains("cardTy")), "the cut row is dropped");
    }

    #[test]
    fn a_bar_v2_page_with_shifted_columns_and_an_envelope() {
        let p = page("doc2-902.txt");
        assert_eq!(p.route, RouteKey::V2("coupn.demo-detail".into()));
        assert_eq!(p.title, None);
        assert_eq!(names(&p.params), ["bizType", "id", "typeCate", "filterInvalid"]);
        let biz = field(&p.params, "bizType");
        assert_eq!((biz.required, biz.default.as_deref()), (Some(true), None));
        assert_eq!(biz.values.len(), 3);
        let cate = field(&p.params, "typeCate");
        assert_eq!((cate.required, cate.default.as_deref()), (Some(false), Some("1")));
        assert_eq!(cate.description.as_deref(), Some("订单类型"));
        let data = p.data.unwrap();
        assert_eq!(data.shape, DataShape::List);
        assert!(!data.truncated);
        assert_eq!(names(&data.fields), ["cardId", "id", "coupon", "coupon.id", "coupon.title"]);
    }

    #[test]
    fn both_renderings_are_merged_and_a_repeated_block_is_read_once() {
        let p = page("doc3-903.txt");
        assert_eq!(p.route, RouteKey::V3("cy/demo/choose".into()));
        assert_eq!(
            names(&p.params),
            ["customerId", "tradeMarks", "tradeMarks[].num", "tradeMarks[].tradeMark", "multiMark"]
        );
        // required from the `|` rendering, nesting from the plain one
        assert_eq!(field(&p.params, "customerId").required, Some(true));
        assert_eq!(field(&p.params, "tradeMarks[].num").required, Some(true));
        assert_eq!(field(&p.params, "multiMark").required, Some(false));
        let data = p.data.unwrap();
        assert_eq!(data.shape, DataShape::List);
        assert!(data.truncated);
        assert_eq!(names(&data.fields), ["beginAt", "cardId", "couponType"]);
    }

    #[test]
    fn an_envelope_without_a_data_row_gives_the_rest_as_data() {
        let text = "url: http://open.zmcms.cn/doc2/article?id=5\nPOST V2 http://x/api/v2\n参数 参数类型 是否必填 默认值 描述\nAction string a.b 接口方法\n\n参数 参数类型 描述\nstatus bool 成功\ncode int 代码\nbizId string 业务标识\n\n请求示例\n";
        let p = parse_page(text, "a").unwrap();
        assert_eq!(p.route, RouteKey::V2("a.b".into()));
        assert_eq!(names(&p.data.unwrap().fields), ["bizId"]);
        // `status` alone is the data's own field
        let text = "url: http://open.zmcms.cn/doc3/article?id=5\nPOST V3 http://x/v3/a/b\n参数 参数类型 描述\nstatus string true:可以兑换\n\n请求示例\n";
        assert_eq!(names(&parse_page(text, "a").unwrap().data.unwrap().fields), ["status"]);
    }

    /// A page of many rows and deep nesting is read whole (in linear time: a quadratic read
    /// of this page would not finish).
    #[test]
    fn a_huge_page_is_read() {
        let mut text = String::from(
            "url: http://open.zmcms.cn/doc3/article?id=5\nPOST V3 http://x/v3/a/b\n参数 参数类型 描述\n",
        );
        for i in 0..40_000 {
            text.push_str(&format!("f{i} int 字段{i}\n"));
        }
        // nesting as deep as the page's indentation goes
        text.push_str("deep array\n");
        for depth in 1..200 {
            text.push_str(&format!("{}├d{depth} array\n", " ".repeat(depth)));
        }
        text.push_str("\n请求示例\n");
        let p = parse_page(&text, "a").unwrap();
        let data = p.data.unwrap();
        assert_eq!(data.fields.len(), 40_000 + 200);
        assert!(data.fields.last().unwrap().name.starts_with("deep.d1.d2."));
    }

    #[test]
    fn what_it_cannot_read_is_an_error() {
        assert!(parse_page("hello", "x.txt").unwrap_err().contains("no `url:"));
        let no_route = "url: http://open.zmcms.cn/doc3/article?id=1\n请求参数\n";
        assert!(parse_page(no_route, "a").unwrap_err().contains("no request address"));
        let wrong = "url: http://open.zmcms.cn/doc2/article?id=1\nPOST V3 http://openapi.zvcms.com/v3/a/b\n";
        assert!(parse_page(wrong, "a").unwrap_err().contains("a doc2 page with the route"));
        let v2 = "url: http://open.zmcms.cn/doc2/article?id=1\nPOST V2 http://openapi.zvcms.com/api/v2\n";
        assert!(parse_page(v2, "a").unwrap_err().contains("without an Action"));
        // the file name stands in for a missing url line
        let p = parse_page("POST V3 http://x/v3/a/b\n", "pages/doc3-77.txt").unwrap();
        assert_eq!((p.version, p.article, p.params.len(), p.data), (3, 77, 0, None));
    }

    #[test]
    fn hostile_text_neither_panics_nor_invents_fields() {
        let junk = [
            "url: http://open.zmcms.cn/doc3/article?id=1\nPOST V3 http://x/v3/a/b\n参数 参数类型 描述\n├\n ├ \n├0\n  ├0 array\n├x int\n",
            "url: http://open.zmcms.cn/doc3/article?id=1\nPOST V3 http://x/v3/a/b\n参数 | 参数类型 | 描述 |\n|||\n├|\n| int |\n├0 | array |\n├0 | array |\n",
            "url: http://open.zmcms.cn/doc3/article?id=1\nPOST V3 http://x/v3/a/b\n参数 参数类型 是否必填 默认值 描述\na.b int x\nc[] int 1=一,2=二\n",
        ];
        for text in junk {
            let p = parse_page(text, "a").unwrap();
            for f in p.params.iter().chain(p.data.iter().flat_map(|d| &d.fields)) {
                assert!(!f.name.is_empty(), "{text}: {p:?}");
            }
        }
        let p = parse_page(junk[2], "a").unwrap();
        assert!(p.params.is_empty(), "{:?}", p.params);
        assert!(p.params_truncated, "the request table runs to the end of the page");
        assert_eq!(p.unread.iter().filter(|u| u.contains("cannot write")).count(), 2, "{:?}", p.unread);
    }
}
