"""Vestibule's AWS CDK app: every AWS resource of a stage, and the operator's commands."""
