"""CDK stacks and constructs of the VPR service (AWS resources only, no business logic)."""
