//! The page dialects: how a paged endpoint asks for a page and answers with one.

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::value::RawValue;

/// How one paged endpoint asks for a page and answers with one (seen in the field; the
/// request field names are exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PageDialect {
    /// `pageNo`/`pageSize` → `{data: [...], total}` (`v3/goods/item/getItemList`).
    DataTotal,
    /// `pageNum`/`pageSize` → `{list: [...], total}` (`v3/org/shop/getShopList`).
    ListTotal,
    /// `pageNo`/`pageSize` → `{pageNo, pageSize, totalCount, resultList: [...]}`
    /// (`v3/dataone/finance/summary/businessRecord`).
    ResultList,
    /// `pageNo`/`pageSize` → `{list: [...], currentPage, totalPage}`
    /// (`v3/crm/marketing/couponActivityList/page`).
    TotalPage,
    /// `pageNum`/`pageSize` → `{list: [...], pageNum, totalCount, pageCount}`
    /// (`v3/coupon/card/consumeFlow/page`).
    PageCount,
    /// `page`/`size` → `{list: [...], page, size, total}`
    /// (`v3/queuing/queueNo/queryShopQueueNoList`).
    PageSize,
    /// `pageNo`/`pageSize` → a bare array or `{records: [...]}`, no total: a short page is
    /// the last (`v3/scm/order/inbound/order/list`).
    Records,
}

impl PageDialect {
    /// Every dialect.
    pub const ALL: [PageDialect; 7] = [
        PageDialect::DataTotal,
        PageDialect::ListTotal,
        PageDialect::ResultList,
        PageDialect::TotalPage,
        PageDialect::PageCount,
        PageDialect::PageSize,
        PageDialect::Records,
    ];

    /// The dialect's stable name (`data_total`, `list_total`, …), as the catalogue and the
    /// CLI's `--json` write it.
    pub const fn name(self) -> &'static str {
        match self {
            PageDialect::DataTotal => "data_total",
            PageDialect::ListTotal => "list_total",
            PageDialect::ResultList => "result_list",
            PageDialect::TotalPage => "total_page",
            PageDialect::PageCount => "page_count",
            PageDialect::PageSize => "page_size",
            PageDialect::Records => "records",
        }
    }

    /// The dialect with this [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<PageDialect> {
        PageDialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The request fields for the page number and the page size, e.g. `("pageNo", "pageSize")`.
    pub const fn request_fields(self) -> (&'static str, &'static str) {
        match self {
            PageDialect::ListTotal | PageDialect::PageCount => ("pageNum", "pageSize"),
            PageDialect::PageSize => ("page", "size"),
            PageDialect::DataTotal
            | PageDialect::ResultList
            | PageDialect::TotalPage
            | PageDialect::Records => ("pageNo", "pageSize"),
        }
    }

    /// The `data` of one page as a gateway of this dialect sends it: `records` (this page's),
    /// the page's number and size, and `total`, the number of records of the whole scan
    /// (written as a record count, a page count or both, as the dialect does; the
    /// [`Records`](PageDialect::Records) dialect writes a bare list and no total). For a
    /// server, such as a mock gateway.
    ///
    /// ```
    /// use zv_types::paging::PageDialect;
    /// let data = PageDialect::TotalPage.render_page(&[1, 2], 3, 2, 5).unwrap();
    /// assert_eq!(data.get(), r#"{"list":[1,2],"currentPage":3,"totalPage":3}"#);
    /// ```
    pub fn render_page<T: Serialize>(
        self,
        records: &[T],
        number: u32,
        page_size: u32,
        total: u64,
    ) -> Result<Box<RawValue>, serde_json::Error> {
        let pages = if page_size == 0 { 0 } else { total.div_ceil(u64::from(page_size)) };
        let (number, size) = (u64::from(number), u64::from(page_size));
        let counts: &[(&str, u64)] = match self {
            PageDialect::DataTotal | PageDialect::ListTotal => &[("total", total)],
            PageDialect::ResultList => &[("pageNo", number), ("pageSize", size), ("totalCount", total)],
            PageDialect::TotalPage => &[("currentPage", number), ("totalPage", pages)],
            PageDialect::PageCount => &[("pageNum", number), ("totalCount", total), ("pageCount", pages)],
            PageDialect::PageSize => &[("page", number), ("size", size), ("total", total)],
            PageDialect::Records => return serde_json::value::to_raw_value(records),
        };
        serde_json::value::to_raw_value(&Rendered { list: self.shape().list, records, counts })
    }

    /// The fields of a page's `data` the pager reads: the record list, the record total and
    /// the page count (the last two when the dialect has them).
    pub(super) const fn shape(self) -> Shape {
        let (list, total, pages) = match self {
            PageDialect::DataTotal => ("data", Some("total"), None),
            PageDialect::ListTotal | PageDialect::PageSize => ("list", Some("total"), None),
            PageDialect::ResultList => ("resultList", Some("totalCount"), None),
            PageDialect::TotalPage => ("list", None, Some("totalPage")),
            PageDialect::PageCount => ("list", Some("totalCount"), Some("pageCount")),
            PageDialect::Records => ("records", None, None),
        };
        Shape { list, total, pages }
    }
}

impl fmt::Display for PageDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A page as [`PageDialect::render_page`] writes it: the list first, then the counts.
struct Rendered<'a, T> {
    list: &'static str,
    records: &'a [T],
    counts: &'a [(&'a str, u64)],
}

impl<T: Serialize> Serialize for Rendered<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1 + self.counts.len()))?;
        map.serialize_entry(self.list, self.records)?;
        for (name, n) in self.counts {
            map.serialize_entry(name, n)?;
        }
        map.end()
    }
}

/// The fields of a page's `data` that the pager reads.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub(super) list: &'static str,
    pub(super) total: Option<&'static str>,
    pub(super) pages: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in PageDialect::ALL {
            assert_eq!(PageDialect::from_name(d.name()), Some(d));
        }
        assert_eq!(PageDialect::from_name("nope"), None);
        assert_eq!(PageDialect::PageSize.request_fields(), ("page", "size"));
    }
}
