"""Data access: the only place that talks to AWS. Each store is a small class over one botocore client."""
