"""Browser URLs of imports and exports."""

app_name = "imports"

urlpatterns: list = []
