"""Vehicle catalogue, vehicles, ownership, sales, service visits and related purchases."""
