"""One module per verb of `grade`; each defines one click command that only wires options."""
