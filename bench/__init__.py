"""ChatKeep benchmarks (`make bench`): ratios measured in one run, medians of several runs."""
