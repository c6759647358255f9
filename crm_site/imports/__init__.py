"""CSV/XLSX import of dealer data as a background task, and scoped exports."""
