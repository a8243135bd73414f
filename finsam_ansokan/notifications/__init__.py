"""E-mail notifications through a database outbox, sent by `flask mail send`."""
