"""Browser URLs of vehicles, sales and service visits."""

app_name = "vehicles"

urlpatterns: list = []
