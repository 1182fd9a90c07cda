"""Forms of records: checklist, fault, service request."""
