"""The published test vectors (docs/vectors/request-mac.json), also checked by Java's RequestMacVectorsTest."""

import base64
import hashlib
import json
import pathlib
import re
import unittest

from switchboard import signing

VECTORS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "vectors" / "request-mac.json"


class MacVectorsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.vectors = json.loads(VECTORS.read_text(encoding="utf-8"))

    def test_session_key_is_the_published_one(self) -> None:
        key = signing.session_key(bytes.fromhex(self.vectors["clusterSecretHex"]), self.vectors["sessionId"])
        self.assertEqual(self.vectors["sessionKeyHex"], key.hex())
        self.assertEqual(self.vectors["sessionKeyBase64"], base64.b64encode(key).decode())

    def test_every_mac_is_the_published_one(self) -> None:
        key = bytes.fromhex(self.vectors["sessionKeyHex"])
        session_id = self.vectors["sessionId"]
        self.assertGreaterEqual(len(self.vectors["requests"]), 3)
        for request in self.vectors["requests"]:
            with self.subTest(request["name"]):
                body = bytes.fromhex(request["bodyHex"])
                self.assertEqual(request["bodySha256Hex"], hashlib.sha256(body).hexdigest())
                self.assertEqual(
                    request["canonical"], signing.canonical(session_id, request["timestampMs"], request["nonce"], body)
                )
                self.assertEqual(
                    request["mac"], signing.sign(key, session_id, request["timestampMs"], request["nonce"], body)
                )

    def test_nonces_are_valid_and_fresh(self) -> None:
        first, second = signing.nonce(), signing.nonce()
        self.assertNotEqual(first, second)
        for value in (first, second):
            self.assertRegex(value, re.compile(r"^[A-Za-z0-9_-]{16,64}$"))


if __name__ == "__main__":
    unittest.main()
