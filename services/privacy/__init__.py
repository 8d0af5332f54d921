"""Privacy: one end user's data exported and erased for good, and message retention."""
