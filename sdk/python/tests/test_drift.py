"""The SDK's models and operations against the live OpenAPI document: fails on any drift."""

import inspect
import re
import typing
import unittest

import httpx

from siteprint import _operations as ops
from siteprint.models import SCHEMAS

from .live import BASE_URL


class DriftTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.document = httpx.get(f"{BASE_URL}/api/v1/openapi.json").json()

    def test_every_model_has_the_fields_of_its_schema(self) -> None:
        schemas = self.document["components"]["schemas"]
        for name, model in SCHEMAS.items():
            with self.subTest(schema=name):
                self.assertIn(name, schemas)
                schema = schemas[name]
                hints = typing.get_type_hints(model)
                self.assertEqual(sorted(hints), sorted(schema.get("properties", {})))
                self.assertEqual(sorted(model.__required_keys__), sorted(schema.get("required", [])))

    def test_every_wrapped_operation_exists_with_its_method_and_path(self) -> None:
        operations = {
            operation["operationId"]: (method.upper(), path)
            for path, item in self.document["paths"].items()
            for method, operation in item.items()
            if isinstance(operation, dict) and "operationId" in operation
        }
        wrapped = {
            operation_id: (method, re.sub(r"\{_q\((\w+)\)\}", "{}", path))
            for operation_id, method, path in re.findall(r'Call\(\s*"(\w+)",\s*"(\w+)",\s*f?"([^"]+)"', inspect.getsource(ops))
        }
        self.assertGreater(len(wrapped), 20)
        for operation_id, (method, path) in wrapped.items():
            with self.subTest(operation=operation_id):
                self.assertIn(operation_id, operations)
                live_method, live_path = operations[operation_id]
                self.assertEqual((method, path), (live_method, re.sub(r"\{\w+\}", "{}", live_path)))
        # Every operation is either wrapped or named as not wrapped, so a new one is a decision.
        self.assertEqual(sorted(set(operations) - set(wrapped)), sorted(ops.NOT_WRAPPED))


if __name__ == "__main__":
    unittest.main()
