"""Response windows (SLA) and routing.

The SLA engine is a pure core that takes ``now`` and never touches a database:

- ``calendar``: working days (调休 included), 民法典 counting; ``statutory`` and ``overrides``
  for years the calendar library does not know (provisional until a ``YYYY.toml`` is added);
- ``policy`` (+ ``default_policy.toml``): the kinds of deadline and what happens around them;
- ``deadlines``: which deadlines an event gets, and when;
- ``clock``: one clock as a value and ``step`` — warnings, breach levels, reminders, each once;
- ``transitions`` and ``evidence``: closure on evidence, 延期, 退单, 重办, regrading.

Around it: ``store`` (rows ⇄ clocks, compare-and-set), ``service`` (the calls other parts
make), ``tick`` (the periodic job), ``queue`` (the duty officer's top events) and
``configured`` (policy, calendar and office close from the settings).
"""
