"""moto's S3 in server mode, behind the checks a real private bucket makes on a request.

moto serves the S3 protocol but accepts every request: an anonymous GET, a presigned URL long
past its expiry and a tampered one all succeed. Real S3 refuses them, and the platform relies on
that (private bucket, short-lived signed download URLs), so this gate puts those checks back:

- a request with neither an `Authorization` header nor a presigned query is refused (403
  AccessDenied), as S3 does for a private bucket;
- a presigned URL (SigV4 query, or legacy SigV2) must carry a valid signature for these credentials
  (403 SignatureDoesNotMatch otherwise) and be used before X-Amz-Date + X-Amz-Expires
  (403 AccessDenied "Request has expired" otherwise). Headers other than `host` are not
  part of the check (django-storages signs only `host`).

Header-signed requests (the platform's own boto3 calls) are passed to moto as they are.

An outage can be injected (tests/scale/test_infrastructure_faults.py): `POST /_outage?seconds=30`
makes every S3 request for that long answer 503 ServiceUnavailable, as a bucket does while its
service is away, keeping what it stores; `seconds=0` ends it.

    python -m tests.scale.s3_server --port 55900 --bucket brand-assets
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import signal
import sys
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote_plus

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


def _sign(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _quote(value: str) -> str:
    return quote(value, safe="-_.~")


def presigned_signature(*, secret_key: str, method: str, raw_path: str, query: list[tuple[str, str]], headers: dict[str, str]) -> str:
    """SigV4 query-string signature, computed the way S3 checks it."""
    params = dict(query)
    amz_date = params["X-Amz-Date"]
    scope = params["X-Amz-Credential"].split("/", 1)[1]
    signed_headers = params["X-Amz-SignedHeaders"]
    canonical_query = "&".join(
        f"{_quote(k)}={_quote(v)}" for k, v in sorted(query) if k != "X-Amz-Signature"
    )
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers.split(";"))
    canonical_request = "\n".join(
        [method, raw_path, canonical_query, canonical_headers, signed_headers, "UNSIGNED-PAYLOAD"]
    )
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    date, region, service, _ = scope.split("/")
    key = _sign(_sign(_sign(_sign(f"AWS4{secret_key}".encode(), date), region), service), "aws4_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class PrivateBucketGate:
    def __init__(self, app, *, access_key: str, secret_key: str):
        self.app, self.access_key, self.secret_key = app, access_key, secret_key
        self.down_until = 0.0

    @staticmethod
    def _answer(start_response, status: str, code: str, message: str):
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
        ).encode()
        start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _deny(start_response, code: str, message: str):
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
        ).encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ, start_response):
        raw_query = environ.get("QUERY_STRING", "")
        query = [
            (unquote_plus(k), unquote_plus(v))
            for k, _, v in (part.partition("=") for part in raw_query.split("&") if part)
        ]
        params = dict(query)
        if environ.get("PATH_INFO") == "/_outage" and environ["REQUEST_METHOD"] == "POST":
            self.down_until = time.monotonic() + float(params.get("seconds", "30"))
            return self._answer(start_response, "200 OK", "Outage", f"S3 unavailable for {params.get('seconds', '30')} s")
        if time.monotonic() < self.down_until:
            return self._answer(start_response, "503 Service Unavailable", "ServiceUnavailable", "Service is unable to handle request.")
        if "X-Amz-Signature" in params:
            try:
                signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
                expires = int(params["X-Amz-Expires"])
                access_key = params["X-Amz-Credential"].split("/", 1)[0]
            except (KeyError, ValueError):
                return self._deny(start_response, "AuthorizationQueryParametersError", "Malformed presigned query.")
            if access_key != self.access_key:
                return self._deny(start_response, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist.")
            raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/"))).split("?", 1)[0]
            headers = {"host": environ.get("HTTP_HOST", "")}
            expected = presigned_signature(
                secret_key=self.secret_key, method=environ["REQUEST_METHOD"], raw_path=raw_path, query=query, headers=headers
            )
            if not hmac.compare_digest(expected, params["X-Amz-Signature"]):
                return self._deny(start_response, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
            if datetime.now(timezone.utc) > signed_at + timedelta(seconds=expires):
                return self._deny(start_response, "AccessDenied", "Request has expired")
        elif "Signature" in params and "Expires" in params:  # SigV2 query auth (legacy, still accepted by S3)
            if params.get("AWSAccessKeyId") != self.access_key:
                return self._deny(start_response, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist.")
            raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/"))).split("?", 1)[0]
            string_to_sign = f"{environ['REQUEST_METHOD']}\n\n\n{params['Expires']}\n{raw_path}"
            expected = base64.b64encode(hmac.new(self.secret_key.encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()
            if not hmac.compare_digest(expected, params["Signature"]):
                return self._deny(start_response, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
            if datetime.now(timezone.utc).timestamp() > int(params["Expires"]):
                return self._deny(start_response, "AccessDenied", "Request has expired")
        elif "HTTP_AUTHORIZATION" not in environ:
            return self._deny(start_response, "AccessDenied", "Access Denied")
        return self.app(environ, start_response)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=55900)
    parser.add_argument("--bucket", action="append", default=[], help="create this private bucket at start")
    args = parser.parse_args(argv)
    access_key = os.environ.get("AWS_ACCESS_KEY_ID", "testing")
    secret_key = os.environ.get("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("MOTO_PORT", str(args.port))

    app = PrivateBucketGate(DomainDispatcherApplication(create_backend_app), access_key=access_key, secret_key=secret_key)
    if args.bucket:
        from moto.backends import get_backend

        region = os.environ.get("AWS_S3_REGION_NAME", "us-east-1")
        backend = get_backend("s3")["123456789012"]["global"]
        for name in args.bucket:
            if name not in backend.buckets:
                backend.create_bucket(name, region)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"S3 (moto with private-bucket checks) on http://{args.host}:{args.port}", flush=True)
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
