"""Automatic inspection probes: HTTP, TCP, DNS, tamper, FTP/SMTP banner, ping and link checks.

They contact only the targets of a contract profile, only when a user starts them
(:mod:`app.probes.consent` keeps the switch and what the user approved), and
their results are stored as evidence of the checklist items they fill
(:mod:`app.probes.service`).
"""
