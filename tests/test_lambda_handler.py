"""The S3-triggered Lambda handler, with a stub S3 client."""

from __future__ import annotations

from typing import Any

from lambda_src.object_created import handler


class StubS3:
    def __init__(self, objects: dict[tuple[str, str], dict[str, Any]]):
        self.objects = objects
        self.calls: list[tuple[str, str]] = []

    def head_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        self.calls.append((Bucket, Key))
        return self.objects[(Bucket, Key)]


def record(bucket: str, key: str, source: str = "aws:s3") -> dict[str, Any]:
    return {
        "eventSource": source,
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": key}},
    }


def test_reports_each_created_object_with_decoded_key() -> None:
    s3 = StubS3(
        {
            ("b", "reports/q1 summary.csv"): {
                "ContentLength": 42,
                "ContentType": "text/csv",
                "ServerSideEncryption": "aws:kms",
            }
        }
    )
    result = handler.handler({"Records": [record("b", "reports/q1+summary.csv")]}, None, s3=s3)
    assert s3.calls == [("b", "reports/q1 summary.csv")]
    assert result == {
        "processed": 1,
        "objects": [
            {
                "bucket": "b",
                "key": "reports/q1 summary.csv",
                "size": 42,
                "content_type": "text/csv",
                "encryption": "aws:kms",
                "event": "ObjectCreated:Put",
            }
        ],
    }


def test_ignores_records_from_other_sources() -> None:
    s3 = StubS3({})
    assert handler.handler({"Records": [record("b", "k", source="aws:sqs")]}, None, s3=s3) == {
        "processed": 0,
        "objects": [],
    }
    assert s3.calls == []


def test_empty_event() -> None:
    assert handler.handler({}, None, s3=StubS3({})) == {"processed": 0, "objects": []}
