"""Win-back campaigns (issue 13): a segment of lapsed or lost customers, a held-out control group, follow-up tasks
for the called group, and the measured return of both."""
