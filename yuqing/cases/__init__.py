"""The case service: every change to an event's life.

An event is created from an analysed post, posts join it, it is merged into another, split or
dropped, its labels and severity change, units are assigned to it, released, reassigned and
asked again (重办). Callers — the analysis stage and the dashboard's actions — decide whether a
change is wanted and who may make it; the functions here make it in the caller's transaction,
write its event-log and outbox rows, and move the clocks through the SLA engine
(``response_sla.service``). They raise ``CaseError`` when the change does not apply to the
event as it stands, and let the engine's own refusals through.

- ``events``       following merges, recounting, dropping an event, notes
- ``labels``       label rows, a person's review of a label, regrading
- ``assignments``  adding, releasing and reassigning units; routing; 退单 rulings
- ``intake``       what an analysed post does: a new event, a join, a raise, a board reply
- ``verification`` 待核实: a possible major put to the duty officers, confirmed or dismissed
- ``merge``        merging (assignments carried over) and splitting events
- ``clocks``       milestones, 延期 rulings and 重办 recorded by the duty officer
- ``units``        a unit's own steps: 签收, response, 延期 and 退单 requests
- ``log``          the case service's writes to the event log
"""
