"""A small OData ``$filter`` interpreter: comparisons, and/or/not, parentheses, contains/startswith/endswith,
string, number, boolean, null and enum literals (``Microsoft.Dynamics.DataEntities.BatchStatus'Waiting'``).

It compiles to a predicate over a record in its JSON form, so it works for table-backed and in-memory
entity sets alike. Anything else is a 400, as F&O answers a filter it cannot parse.
"""

from __future__ import annotations

import re

TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<enum>[A-Za-z_][\w.]*'(?:[^']|'')*')"
                   r"|(?P<number>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][\w.]*)|(?P<punct>[(),]))")
COMPARE = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
           "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b}
FUNCTIONS = {"contains": lambda a, b: b in a, "startswith": lambda a, b: a.startswith(b),
             "endswith": lambda a, b: a.endswith(b)}


class FilterError(ValueError):
    pass


def tokenize(text):
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = TOKEN.match(text, position)
        if not match:
            raise FilterError(f"Syntax error at position {position} in '{text}'.")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "string":
            value = value[1:-1].replace("''", "'")
        elif kind == "enum":
            value = value[value.index("'") + 1:-1].replace("''", "'")
        elif kind == "number":
            value = float(value) if "." in value else int(value)
        tokens.append((kind, value))
        position = match.end()
    return tokens


class Parser:
    def __init__(self, text, fields):
        self.tokens = tokenize(text)
        self.position = 0
        self.fields = fields
        self.text = text

    def parse(self):
        predicate = self.or_expr()
        if self.position != len(self.tokens):
            raise FilterError(f"Syntax error: unexpected '{self.tokens[self.position][1]}' in '{self.text}'.")
        return predicate

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self, kind=None, value=None):
        token = self.peek()
        if token[0] is None or (kind and token[0] != kind) or (value is not None and token[1] != value):
            raise FilterError(f"Syntax error in '{self.text}': expected {value or kind}.")
        self.position += 1
        return token

    def or_expr(self):
        parts = [self.and_expr()]
        while self.peek() == ("word", "or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def and_expr(self):
        parts = [self.not_expr()]
        while self.peek() == ("word", "and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def not_expr(self):
        if self.peek() == ("word", "not"):
            self.take()
            inner = self.not_expr()
            return lambda r: not inner(r)
        if self.peek() == ("punct", "("):
            self.take()
            inner = self.or_expr()
            self.take("punct", ")")
            return inner
        return self.comparison()

    def comparison(self):
        kind, value = self.peek()
        if kind == "word" and value in FUNCTIONS:
            self.take()
            self.take("punct", "(")
            left = self.operand()
            self.take("punct", ",")
            right = self.operand()
            self.take("punct", ")")
            function = FUNCTIONS[value]
            return lambda r: _safe(function, str(left(r) or ""), str(right(r) or ""))
        left = self.operand()
        operator = self.take("word")[1]
        if operator not in COMPARE:
            raise FilterError(f"Syntax error in '{self.text}': unknown operator '{operator}'.")
        right = self.operand()
        compare = COMPARE[operator]
        return lambda r: _safe(compare, left(r), right(r))

    def operand(self):
        kind, value = self.take()
        if kind == "word":
            if value in ("true", "false"):
                return lambda r, v=value == "true": v
            if value == "null":
                return lambda r: None
            if value not in self.fields:
                raise FilterError(f"Could not find a property named '{value}' on the entity type.")
            return lambda r, name=value: r.get(name)
        if kind in ("string", "enum", "number"):
            return lambda r, v=value: v
        raise FilterError(f"Syntax error in '{self.text}'.")


def _safe(function, left, right):
    try:
        return bool(function(left, right))
    except TypeError:  # e.g. None > 3: no match, as SQL would say
        return False


def compile_filter(text, fields):
    """A predicate over a JSON record for ``$filter`` text; FilterError (-> HTTP 400) when it does not parse."""
    if not text:
        return lambda record: True
    return Parser(text, set(fields)).parse()
