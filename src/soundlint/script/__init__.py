"""Read AudioStack scripts (markup files and JSON API payloads) into ``Script`` values.

lxml is imported only when a script is parsed, not when this package is.
"""

from soundlint.script.jsonpayload import parse_json_payload
from soundlint.script.loader import load_script
from soundlint.script.parser import MAX_SCRIPT_BYTES, parse_markup

__all__ = ["MAX_SCRIPT_BYTES", "load_script", "parse_json_payload", "parse_markup"]
