"""Checks webhook requests with the Standard Webhooks reference library.

Reads one JSON array from stdin, each item {"secret", "headers", "body"},
and prints one line per item: "ok", or "bad: <why>".
"""

import json
import sys

from standardwebhooks.webhooks import Webhook


def main() -> None:
    for item in json.load(sys.stdin):
        try:
            Webhook(item["secret"]).verify(item["body"], item["headers"])
            print("ok")
        except Exception as e:  # any refusal is an answer, not a crash
            print(f"bad: {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
