from rest_framework.filters import OrderingFilter


class StableOrderingFilter(OrderingFilter):
    """Ordering with the primary key as the last tiebreaker, so pages never overlap
    or skip rows when many share a name or a level."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        ordering = list(ordering)
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering.append("id")
        return ordering
