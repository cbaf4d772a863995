"""Grok patterns as Python regular expressions, for testing deploy/elk/logstash.conf.

The definitions below are Logstash's own (logstash-patterns-core, patterns/legacy/grok-patterns
and patterns/ecs-v1/grok-patterns define these the same way), copied as they are written there,
and expanded the way grok expands them: %{NAME} becomes the definition, %{NAME:field} a named
group. Logstash matches with Ruby regular expressions (Joni), where \\w, \\s and \\b are ASCII,
so the expression is compiled with re.ASCII; Python 3.11 has the atomic groups (?>...) YEAR uses.
"""
import re

# Only the patterns our grok line uses, and the ones they are built from.
LOGSTASH_PATTERNS = r"""
WORD \b\w+\b
SPACE \s*
DATA .*?
GREEDYDATA .*
MONTHNUM (?:0?[1-9]|1[0-2])
MONTHDAY (?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])
YEAR (?>\d\d){1,2}
HOUR (?:2[0123]|[01]?[0-9])
MINUTE (?:[0-5][0-9])
SECOND (?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)
ISO8601_TIMEZONE (?:Z|[+-]%{HOUR}(?::?%{MINUTE}))
TIMESTAMP_ISO8601 %{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?
"""

DEFINITIONS = dict(line.split(" ", 1) for line in LOGSTASH_PATTERNS.strip().splitlines())

# %{SYNTAX}, %{SYNTAX:field}, %{SYNTAX:field:type}
REFERENCE = re.compile(r"%\{(\w+)(?::([\w.@]+))?(?::\w+)?\}")


def expand(pattern, depth=0):
    """A grok pattern as a Python regular expression (text)."""
    if depth > 20:
        raise ValueError("grok patterns nest too deep (a cycle?)")

    def replace(match):
        name, field = match.group(1), match.group(2)
        if name not in DEFINITIONS:
            raise KeyError(f"grok pattern %{{{name}}} is not among the definitions this test knows")
        inner = expand(DEFINITIONS[name], depth + 1)
        return f"(?P<{field}>{inner})" if field else f"(?:{inner})"

    return REFERENCE.sub(replace, pattern)


def compile_grok(pattern):
    return re.compile(expand(pattern), re.ASCII)


def grok_match(regex, text):
    """Grok searches (it does not anchor): the named fields of the first match, or None."""
    match = regex.search(text)
    return match.groupdict() if match else None
