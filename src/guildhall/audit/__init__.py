"""The guild audit log (contract section 14): one writer, ``audit.service.record``,
called by every audited change inside its own transaction."""
