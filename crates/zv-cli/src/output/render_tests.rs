//! The table renderer at injected widths (no terminal needed).

use crate::output::render::{Column, Data, Grid, Layout};
use unicode_width::UnicodeWidthStr;

const WIDTHS: [u16; 3] = [60, 80, 120];

fn layouts(width: u16) -> [Layout; 2] {
    [Layout::fixed(width), Layout::fixed(width).wrapped()]
}

fn assert_fits(text: &str, width: u16) {
    for line in text.lines() {
        assert!(line.width() <= usize::from(width), "a line of {} columns at {width}:\n{text}", line.width());
    }
}

fn members() -> Grid {
    let mut grid = Grid::new(vec![
        Column::new("会员 ID"),
        Column::new("姓名 Name"),
        Column::new("余额 Balance").right(),
        Column::new("地址 Address").priority(1),
        Column::new("备注 Note").priority(2),
    ]);
    for (id, name) in [("10001", "张三丰"), ("10002", "欧阳娜娜"), ("10003", "Li Lei")] {
        grid.push_row([
            id,
            name,
            "¥1,234.50",
            "浙江省杭州市西湖区文三路 90 号 东部软件园 3 号楼 1201 室",
            "常客，喜欢少糖少冰的饮品；生日在十二月，周末来得多",
        ]);
    }
    grid
}

#[test]
fn every_layout_fits_its_width_and_keeps_each_row_recognisable() {
    let grid = members();
    for width in WIDTHS {
        for layout in layouts(width) {
            let text = grid.render(layout);
            assert_fits(&text, width);
            for id in ["10001", "10002", "10003"] {
                assert_eq!(text.lines().filter(|l| l.contains(id)).count(), 1, "{id} at {width}:\n{text}");
            }
            let data_lines = text.lines().filter(|l| l.starts_with('│')).count();
            if layout.wrap {
                assert!(data_lines >= 4, "{text}");
            } else {
                assert_eq!(data_lines, 4, "one line per row at {width}:\n{text}");
            }
        }
    }
}

#[test]
fn low_priority_columns_give_way_first_and_the_table_says_so() {
    let text = members().render(Layout::fixed(60));
    let header = text.lines().nth(1).unwrap();
    assert!(header.contains("会员 ID") && header.contains("姓名 Name"), "{text}");
    assert!(!header.contains("备注"), "the lowest priority goes first:\n{text}");
    assert!(text.contains("hidden for the width"), "{text}");
    // with room for everything, nothing is hidden or cut
    let wide = members().render(Layout::fixed(400));
    assert!(!wide.contains("hidden") && !wide.contains('…'), "{wide}");
    assert_eq!(wide, members().render(Layout::UNLIMITED));
}

#[test]
fn cjk_cells_count_two_columns_each() {
    let mut grid = Grid::new(vec![Column::new("名称"), Column::new("x")]);
    grid.push_row(["生日礼品卡生日礼品卡生日礼品卡生日礼品卡生日礼品卡", "1"]);
    for width in [20u16, 30, 60] {
        for layout in layouts(width) {
            let text = grid.render(layout);
            assert_fits(&text, width);
            let widths: Vec<usize> =
                text.lines().filter(|l| !l.starts_with('(')).map(|l| l.width()).collect();
            assert!(widths.windows(2).all(|w| w[0] == w[1]), "ragged:\n{text}");
        }
    }
}

#[test]
fn any_data_fits_too() {
    let data = Data::from_json(
        r#"[{"id":"8800001","title":"生日礼品卡","meta":{"tags":["a","b"],"note":"很长的说明文字很长的说明文字很长的说明文字"},"url":"https://img.zvcms.example/giftcard/101.png"},
            {"id":"8800002","title":"奶茶畅饮卡","extra":null}]"#,
    )
    .unwrap();
    for width in WIDTHS {
        for layout in layouts(width) {
            let text = data.render(layout);
            assert_fits(&text, width);
            assert!(text.contains("8800001") && text.contains("8800002"), "{text}");
        }
    }
    let record = Data::from_json(r#"{"total":2,"list":[{"a":1}],"name":"企迈"}"#).unwrap();
    let text = record.render(Layout::UNLIMITED);
    let keys: Vec<&str> =
        text.lines().filter_map(|l| l.strip_prefix("│ ")).filter_map(|l| l.split(' ').next()).collect();
    assert_eq!(keys, ["key", "total", "list", "name"], "{text}");
    assert!(text.contains(r#"[{"a":1}]"#), "{text}");
    assert_eq!(Data::from_json(r#""企迈""#).unwrap().render(Layout::fixed(60)), "企迈\n");
    assert_eq!(Data::from_json("null").unwrap().render(Layout::fixed(60)), "null\n");
    assert_eq!(Data::from_json("[]").unwrap().render(Layout::fixed(60)), "(empty list)\n");
    let scalars = Data::from_json(r#"[1,"two",null]"#).unwrap().render(Layout::UNLIMITED);
    assert!(scalars.contains("two") && scalars.lines().nth(1).unwrap().contains("value"), "{scalars}");
}

#[test]
fn nothing_from_the_data_reaches_the_terminal_as_an_escape() {
    let data = Data::from_json(r#"[{"name":"a\u001b[31mred\u001b[0m","note":"two\nlines"}]"#).unwrap();
    let text = data.render(Layout::UNLIMITED);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert_eq!(text.lines().filter(|l| l.starts_with('│')).count(), 2, "{text}");
}

#[test]
fn colour_is_a_bold_header_only_when_asked() {
    let plain = members().render(Layout::fixed(80));
    assert!(!plain.contains('\u{1b}'));
    let bold = members().render(Layout::fixed(80).colored(true));
    let styled: Vec<&str> = bold.lines().filter(|l| l.contains('\u{1b}')).collect();
    assert_eq!(styled.len(), 1, "{bold}");
    assert!(styled[0].contains("会员 ID"), "{bold}");
}

#[test]
fn the_layout_of_a_terminal_and_of_a_pipe() {
    assert_eq!(Layout::for_stream(true, Some(100), Some("60")), Layout::fixed(100).wrapped());
    assert_eq!(Layout::for_stream(true, None, Some("60")), Layout::fixed(60).wrapped());
    assert_eq!(Layout::for_stream(true, None, None), Layout::fixed(80).wrapped());
    assert_eq!(Layout::for_stream(false, None, Some("60")), Layout::fixed(60));
    assert_eq!(Layout::for_stream(false, None, None), Layout::UNLIMITED);
    assert_eq!(Layout::for_stream(false, None, Some("wide")), Layout::UNLIMITED);
    assert_eq!(Layout::for_stream(false, None, Some("0")), Layout::UNLIMITED);
}

/// Table headers are the gateway's keys: sanitized like cells, in the records' tables and
/// in the key/value table of an object, so no ESC, C1 CSI or bidi override reaches the
/// terminal through them.
#[test]
fn headers_from_the_gateway_are_sanitized_like_cells() {
    let hostile = r#""k\u001b[2J\u009b31m\u202eey\nx""#;
    for json in [format!(r#"[{{{hostile}:1,"b":2}}]"#), format!(r#"{{{hostile}:1}}"#)] {
        let data = Data::from_json(&json).unwrap();
        for layout in [Layout::UNLIMITED, Layout::fixed(80), Layout::fixed(80).wrapped().colored(true)] {
            let text = data.render(layout);
            for c in ['\u{9b}', '\u{202e}'] {
                assert!(!text.contains(c), "{c:?} in {text:?}");
            }
            // colour's own bold is the only escape, and only when asked
            assert_eq!(text.contains('\u{1b}'), layout.color, "{text:?}");
            assert!(text.contains("k\u{FFFD}[2J\u{FFFD}31m\u{FFFD}ey x"), "{text}");
        }
    }
    assert_eq!(Column::new("a\u{1b}b").header(), "a\u{FFFD}b");
    // a key left out of a wide table is named sanitized too
    let keys: Vec<String> = (0..40).map(|i| format!(r#""k{i}\u001b[2J":1"#)).collect();
    let text = Data::from_json(&format!("[{{{}}}]", keys.join(","))).unwrap().render(Layout::UNLIMITED);
    let note = text.lines().last().unwrap();
    assert!(note.starts_with("(16 more columns: k24\u{FFFD}[2J"), "{note}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

/// Records with a key each: a table of at most `MAX_COLUMNS` columns (the keys most records
/// have), and one line naming the others, cut to the width.
#[test]
fn many_distinct_keys_make_a_bounded_table_that_names_the_rest() {
    use crate::output::render::MAX_COLUMNS;
    let records: Vec<String> =
        (0..1000).map(|i| format!(r#"{{"id":{i},"name":"n{i}","k{i}":true}}"#)).collect();
    let data = Data::from_json(&format!("[{}]", records.join(","))).unwrap();
    let grid = data.to_grid().unwrap();
    assert_eq!(grid.columns().len(), MAX_COLUMNS);
    let headers: Vec<&str> = grid.columns().iter().map(Column::header).collect();
    // the keys every record has first (as seen), then the first of the rare ones
    assert_eq!(&headers[..4], ["id", "name", "k0", "k1"]);
    assert_eq!(grid.left_out().len(), 1000 - (MAX_COLUMNS - 2));
    assert_eq!(grid.left_out()[0], format!("k{}", MAX_COLUMNS - 2));
    assert!(grid.rows().iter().all(|r| r.len() == MAX_COLUMNS));
    for width in WIDTHS {
        for layout in layouts(width) {
            let text = grid.render(layout);
            assert_fits(&text, width);
            let note = text.lines().last().unwrap();
            assert!(note.starts_with("(978 more columns: k22, k23"), "{note}");
            assert!(note.ends_with(" more; --json has all)"), "{note}");
        }
    }
    let unlimited = grid.render(Layout::UNLIMITED);
    assert!(unlimited.lines().last().unwrap().chars().count() <= 200, "{unlimited}");
    // Few keys: no note.
    let few = Data::from_json(r#"[{"a":1},{"b":2}]"#).unwrap().render(Layout::UNLIMITED);
    assert!(!few.contains("more columns"), "{few}");
}

/// `zv endpoints` at 80 columns: every path whole on one line (an identifier is never
/// wrapped or cut, `getCrmPointsF` / `low` was), the lower-priority columns dropped first.
#[test]
fn endpoint_paths_are_never_broken() {
    for query in [None, Some("giftCard"), Some("points")] {
        let rows = crate::commands::endpoints::search::rows(
            &crate::commands::endpoints::search::search(query, None).unwrap(),
        );
        assert!(!rows.is_empty(), "{query:?}");
        let grid = crate::commands::endpoints::search::grid(&rows);
        for layout in layouts(80) {
            let text = grid.render(layout);
            assert_fits(&text, 80);
            for row in &rows {
                let whole = text.lines().any(|l| l.contains(&format!(" {} ", row.path)));
                assert!(whole, "{} broken at 80 ({layout:?}):\n{text}", row.path);
            }
            // the safety stays with the path; the lowest priorities go first
            let header = text.lines().nth(1).unwrap();
            let shown: Vec<&str> =
                header.split(['│', '┆']).map(str::trim).filter(|h| !h.is_empty()).collect();
            let order = ["path", "safety", "title", "domain", "paging", "params"];
            assert_eq!(shown.len() >= 2, query.is_some(), "{header}");
            for (i, name) in order.iter().enumerate() {
                if shown.contains(name) {
                    assert!(
                        order[..i].iter().all(|kept| shown.contains(kept)),
                        "{name} before {order:?}: {header}"
                    );
                }
            }
        }
    }
}
