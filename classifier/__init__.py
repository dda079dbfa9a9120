"""Labels for citizen posts, each with the evidence a duty officer can check.

- ``classifier.model``: topic (领域) and handling type (建言 / 咨询 / 投诉/求助), calibrated linear
  models over character n-grams, loaded from a model directory of plain arrays
  (``load_classifier``; the default model ships in ``classifier/models/default``);
- ``classifier.severity`` / ``classifier.rumour``: readable rules for 突发事件 severity and for
  suspected false information;
- ``classifier.events``: grouping posts about one matter; ``classifier.heat``: how far it spreads;
- ``classifier.masking``: personal data masked for emails and digests;
- ``classifier.analyze``: all of the above for a batch of posts (``yuqing analyze``);
- ``classifier.train`` / ``classifier.evaluate``: building and scoring models (``yuqing train``,
  ``yuqing classify evaluate``).

Shared value types live in ``classifier.types``.
"""
