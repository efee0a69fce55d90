"""Domain package of the VPR pipeline: models, logic and data access. Knows nothing of Lambda events."""
