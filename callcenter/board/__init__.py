"""The supervisor board: backlog, due and overdue, reach rate and per-agent figures."""
