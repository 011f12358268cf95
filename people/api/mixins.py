class ScopedQuerysetMixin:
    """Views define `scoped_queryset(actor)`, always built from an org-scoped selector.

    Schema generation has no actor, so it gets the empty `queryset` instead.
    """

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.scoped_queryset(self.request.auth)

    def scoped_queryset(self, actor):
        raise NotImplementedError
