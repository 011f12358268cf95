"""360 API: cycles. Each area keeps its own urlpatterns; feedback360/api/urls.py joins them."""

urlpatterns: list = []
