"""Routes whose JSON body is read as the evaluate route reads it: by orjson, strict JSON.

FastAPI reads a body with the standard library's ``json``, which takes ``NaN``, ``Infinity``
and ``1e999`` (an infinity) for numbers and a byte-order mark before the document, and
answered a body it could not read in one of two ways: 422 ``body.14: JSON decode error``, or,
for bytes that are not UTF-8 or nesting past the interpreter's recursion limit, 400 "There was
an error parsing the body". Here every route answers as the statuses are documented: 400
``malformed-json`` saying what is wrong and where, the same text as evaluate's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute

from service.api import codecs

__all__ = ["JSONBodyRequest", "JSONBodyRoute"]


class JSONBodyRoute(APIRoute):
    """An APIRoute whose request reads its JSON body with orjson (FastAPI's documented hook
    for a custom request class)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read_with_orjson(request: Request) -> Response:
            return await handler(JSONBodyRequest(request.scope, request.receive))

        return read_with_orjson


class JSONBodyRequest(Request):
    """A request whose JSON body, when the route reads one, is read by orjson; ``keys_twice``
    is then where it gives a key twice (None where it does not), for the ``single_keyed``
    dependency to refuse: whatever Content-Type FastAPI takes for JSON (``application/json``,
    any ``+json`` type), the body it reads is the body checked."""

    keys_twice: list[str | int] | None = None

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = orjson.loads(body)
            except orjson.JSONDecodeError as error:
                # FastAPI turns a JSONDecodeError into a validation error of type json_invalid,
                # its message in ctx: errors.problem_for answers that as malformed-json.
                raise json.JSONDecodeError(
                    codecs.malformed_json(body, error), error.doc, error.pos
                ) from None
            self.keys_twice = codecs.duplicated_key(body, parsed=self._json)
        return self._json
