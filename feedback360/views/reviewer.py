"""360 pages: reviewer. Each area keeps its own urlpatterns; feedback360/urls.py joins them."""

urlpatterns: list = []
