"""Browser URLs of customers and leads."""

app_name = "customers"

urlpatterns: list = []
