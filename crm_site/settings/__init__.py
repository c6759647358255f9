"""Settings split by purpose: base, local (run command), test, production."""
