"""Time rules of a contract: the working-day calendar, holiday periods, inspection
periods, what is due, deliverable deadlines and SLA clocks."""
