"""Moderation (contract section 14): kick, ban, timeout, each audited."""
