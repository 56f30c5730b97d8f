//! Paging dialects: how a paged endpoint names its page request fields and shapes the `data`
//! of a page. The gateway has several; each catalogued paged path names one.

use std::fmt;

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
}

impl fmt::Display for PageDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
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
