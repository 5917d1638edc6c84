"""The decision engine: evaluate, explain, counterfactuals, verify. A library: no I/O, no printing."""
