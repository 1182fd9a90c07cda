"""Record services: inspection runs, faults, support requests, signatures and locks,
drafts, attachments and the listings the window shows."""
