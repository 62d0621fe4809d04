"""What every component holding data shares: whether it survives a teardown, and its key.

`protect_data` (true in prod) keeps tables, buckets, secrets and their KMS keys when the
stack is deleted; in dev they go with it. Each data component gets its own customer-managed
key with yearly rotation.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct


def removal_policy(protect_data: bool) -> cdk.RemovalPolicy:
    return cdk.RemovalPolicy.RETAIN if protect_data else cdk.RemovalPolicy.DESTROY


def data_key(scope: Construct, *, description: str, protect_data: bool) -> kms.Key:
    """The component's own rotating KMS key, kept or removed with its data."""
    return kms.Key(
        scope,
        "Key",
        description=description,
        enable_key_rotation=True,
        removal_policy=removal_policy(protect_data),
    )
