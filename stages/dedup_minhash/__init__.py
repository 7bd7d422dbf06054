"""Near-duplicate removal: MinHash signatures, LSH buckets, verified pairs, clusters."""
