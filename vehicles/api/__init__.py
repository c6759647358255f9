"""REST API of the vehicle catalogue, vehicles, sales, service visits and related purchases."""
