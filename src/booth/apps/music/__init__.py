"""Music: a recommendation chat whose follow-ups remember only you (DESIGN §6)."""
