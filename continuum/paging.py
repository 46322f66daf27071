"""One reading of `?page=` for every list, page and API alike.

A page number comes from the address bar: anything that is not a whole number reads as
the first page, and a number past `MAX_PAGE` as `MAX_PAGE`, which is then shown as the
last page like any page past the end. Without the ceiling, `?page=99999999999999999999`
reaches PostgreSQL as an OFFSET beyond bigint and the page fails."""

from django.core.paginator import Paginator
from rest_framework import pagination

# Far beyond any real list (a million pages of 50 rows), far below bigint offsets.
MAX_PAGE = 1_000_000


def page_number(raw, *, default: int = 1) -> int:
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return min(max(number, 1), MAX_PAGE)


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF page-number pagination with the same reading of `?page=`: a page past the
    end is still a 404 naming the last page, as DRF answers."""

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return paginator.num_pages
        return page_number(raw)


def page_of(request, items, per_page: int, *, paginator=Paginator):
    """The page of `items` that `?page=` asks for; past the end, the last page."""
    return paginator(items, per_page).get_page(page_number(request.GET.get("page")))


def query_without_page(request) -> str:
    """The list's other parameters (filters, search), for the links to its other pages."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
