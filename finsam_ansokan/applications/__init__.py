"""Applications (ansökningar): the form, drafts, submission, diarienummer and versions."""
