"""Follow-up of granted projects: report schedule, reports, payment requests, closing."""
