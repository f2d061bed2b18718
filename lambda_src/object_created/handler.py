"""Runs for every object created in the application bucket: reads the object's
metadata (never its body) and logs one structured line per object.

The S3 client is created lazily so the module imports without boto3 (the tests
pass a stub); in Lambda, boto3 is part of the runtime.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.parse
from typing import Any

logger = logging.getLogger()
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))

_client: Any = None


def _s3() -> Any:
    global _client  # noqa: PLW0603 one client per warm Lambda container, created on first use
    if _client is None:
        import boto3  # provided by the Lambda runtime

        _client = boto3.client("s3")
    return _client


def describe(record: dict[str, Any], s3: Any) -> dict[str, Any]:
    """Metadata of the object named by one S3 event record."""
    bucket = record["s3"]["bucket"]["name"]
    # S3 URL-encodes keys in events, with '+' for spaces.
    key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
    head = s3.head_object(Bucket=bucket, Key=key)
    return {
        "bucket": bucket,
        "key": key,
        "size": head["ContentLength"],
        "content_type": head.get("ContentType"),
        "encryption": head.get("ServerSideEncryption"),
        "event": record.get("eventName"),
    }


def handler(event: dict[str, Any], context: Any = None, s3: Any = None) -> dict[str, Any]:
    client = s3 if s3 is not None else _s3()
    objects = []
    for record in event.get("Records", []):
        if record.get("eventSource") != "aws:s3":
            logger.warning("ignoring non-S3 record: %s", record.get("eventSource"))
            continue
        info = describe(record, client)
        logger.info(json.dumps({"message": "object created", **info}))
        objects.append(info)
    return {"processed": len(objects), "objects": objects}
