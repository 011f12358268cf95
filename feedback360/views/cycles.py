"""360 pages: cycles. Each area keeps its own urlpatterns; feedback360/urls.py joins them."""

urlpatterns: list = []
