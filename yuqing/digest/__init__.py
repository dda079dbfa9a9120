"""The weekly escalation digest (每周舆情处置督办通报) and the quarterly 舆情应对情况 report.

Every figure is computed from the deadline rows and the event log *as of* the end of the
period (see ``yuqing.digest.history``), so rendering a past week again gives the same numbers.
"""
